package io.kronlaplace.linalg;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.eigen.Eigen;
class SmokeTest {
  @Test void eig() {
    System.out.println("javacpp platform ext=" + System.getProperty("org.bytedeco.javacpp.platform.extension"));
    for (int n : new int[]{256, 512}) {
      Nd4j.getRandom().setSeed(1);
      INDArray x = Nd4j.randn(DataType.DOUBLE, n, n);
      INDArray a = x.mmul(x.transpose());
      INDArray v = a.dup();
      long t0=System.nanoTime();
      INDArray w = Eigen.symmetricGeneralizedEigenvalues(v, true);
      long t1=System.nanoTime();
      double res = a.mmul(v).sub(v.mulRowVector(w)).norm2Number().doubleValue() / a.norm2Number().doubleValue();
      System.out.println("n=" + n + " residual=" + res + " time ms=" + (t1-t0)/1e6);
    }
    System.out.println(Nd4j.getExecutioner().getEnvironmentInformation());
  }
}
