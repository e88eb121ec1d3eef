package io.kronlaplace.likelihood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-label binary cross-entropy: the likelihood contract with every label observed, and with missing (NaN) labels
 * the loss by hand, the masked Hessian root and MC Fisher against finite differences and zeros, and the GGN factor
 * that the curvature engine builds from it.
 */
class BinaryCrossEntropyTest extends LikelihoodContractTest {
    private final BinaryCrossEntropy bce = new BinaryCrossEntropy();

    @Override
    Likelihood likelihood() {
        return bce;
    }

    @Override
    INDArray targets(SplittableRandom random, int n, int c) {
        double[] y = new double[n * c];
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextBoolean() ? 1 : 0;
        }
        return Nd4j.createFromArray(y).reshape(n, c);
    }

    private static INDArray withMissing() {
        return Nd4j.createFromArray(new double[][] {{1, Double.NaN, 0, 1}, {Double.NaN, Double.NaN, 1, 0},
            {0, 1, Double.NaN, 1}});
    }

    @Test
    void lossSumsMinusLogBernoulliOverObservedLabels() {
        INDArray f = Nd4j.createFromArray(new double[][] {{0.5, -2}, {3, 40}});
        INDArray y = Nd4j.createFromArray(new double[][] {{1, Double.NaN}, {0, 1}});
        double p0 = 1 / (1 + Math.exp(-0.5));
        double p2 = 1 / (1 + Math.exp(-3));
        double expected = -Math.log(p0) - Math.log(1 - p2) + Math.log1p(Math.exp(-40));
        assertEquals(expected, bce.loss(f, y, Reduction.SUM), 1e-13);
        assertEquals(expected / 2, bce.loss(f, y, Reduction.MEAN), 1e-13);
        INDArray large = Nd4j.createFromArray(new double[][] {{800, -800}});
        assertEquals(800, bce.loss(large, Nd4j.createFromArray(new double[][] {{0, 1}}), Reduction.SUM) / 2, 1e-9);
    }

    @Test
    void missingLabelsHaveNoGradientCurvatureOrSampledGradient() {
        SplittableRandom random = new SplittableRandom(11);
        INDArray f = randomOutputs(random, N, C);
        INDArray y = withMissing();
        INDArray g = bce.gradient(f, y, Reduction.SUM);
        INDArray s = bce.hessianSqrt(f, y);
        for (int n = 0; n < N; n++) {
            double[][] hessian = finiteDifferenceHessian(f, y, n);
            for (int i = 0; i < C; i++) {
                double h = 1e-6;
                INDArray plus = f.dup();
                plus.putScalar(n, i, f.getDouble(n, i) + h);
                INDArray minus = f.dup();
                minus.putScalar(n, i, f.getDouble(n, i) - h);
                double fd = (bce.loss(plus, y, Reduction.SUM) - bce.loss(minus, y, Reduction.SUM)) / (2 * h);
                assertEquals(fd, g.getDouble(n, i), 1e-7);
                for (int j = 0; j < C; j++) {
                    double sst = 0;
                    for (int c = 0; c < C; c++) {
                        sst += s.getDouble((long) c * N + n, i) * s.getDouble((long) c * N + n, j);
                    }
                    assertEquals(hessian[i][j], sst, 1e-8, "(S S^T)[" + i + "][" + j + "] of example " + n);
                }
            }
        }
        INDArray sampled = bce.sampledGradients(f, y, 50, new SplittableRandom(3));
        for (int k = 0; k < 50 * N; k++) {
            for (int c = 0; c < C; c++) {
                if (Double.isNaN(y.getDouble(k % N, c))) {
                    assertEquals(0.0, sampled.getDouble(k, c));
                }
            }
        }
        assertTrue(sampled.norm2Number().doubleValue() > 0);
    }

    @Test
    void badLabelsNameTheirPlace() {
        INDArray f = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        y.putScalar(1, 2, 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bce.loss(f, y, Reduction.SUM));
        assertTrue(e.getMessage().contains("row 1, column 2"), e.getMessage());
    }

    /**
     * One Linear layer and one example: the exact GGN of the weight is (a a^T) (x) diag(p (1 - p) m), so K-FAC's B must
     * be that diagonal with zeros at the missing labels, and A = a a^T.
     */
    @Test
    void curvatureEngineMasksMissingLabelsInTheGgn() {
        Linear layer = new Linear(3, 4, true, new Init(5, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL));
        Network net = new Network(new Sequential(layer));
        INDArray x = Nd4j.createFromArray(new double[][] {{0.3, -1.2, 0.8}});
        INDArray y = Nd4j.createFromArray(new double[][] {{1, Double.NaN, 0, Double.NaN}});
        KfacEstimator est = new KfacEstimator(net, bce, KfacOptions.builder().flavour(KfacFlavour.EXPAND).build());
        INDArray f = est.accumulate(x, y);
        KronFactors factors = est.factors().get("0");
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double p = BinaryCrossEntropy.sigmoid(f.getDouble(0, i));
                double expected = i == j && !Double.isNaN(y.getDouble(0, i)) ? p * (1 - p) : 0;
                assertEquals(expected, factors.b().getDouble(i, j), 1e-12, "B[" + i + "][" + j + "]");
            }
        }
        assertTrue(factors.a().equalsWithEps(x.transpose().mmul(x), 1e-12));
    }
}
