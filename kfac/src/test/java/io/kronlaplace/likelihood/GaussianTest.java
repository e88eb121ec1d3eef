package io.kronlaplace.likelihood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GaussianTest extends LikelihoodContractTest {
    private final Gaussian gaussian = new Gaussian(0.7);

    @Override
    Likelihood likelihood() {
        return gaussian;
    }

    @Override
    INDArray targets(SplittableRandom random, int n, int c) {
        return randomOutputs(random, n, c).mul(3);
    }

    @Test
    void lossMatchesHandComputationIncludingTheNormaliser() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1, 2}, {0, -1}, {3, 3}});
        INDArray y = Nd4j.createFromArray(new double[][] {{0, 2}, {0.5, 1}, {3, 2}});
        double sigma = 0.7;
        double squares = 1 + 0 + 0.25 + 4 + 0 + 1;
        double expected = squares / (2 * sigma * sigma) + 3 * 2 * Math.log(sigma * Math.sqrt(2 * Math.PI));
        assertEquals(expected, gaussian.loss(f, y, Reduction.SUM), 1e-13);
        // The same number as the sum of log densities of independent normals.
        org.apache.commons.math3.distribution.NormalDistribution unit =
                new org.apache.commons.math3.distribution.NormalDistribution(0, sigma);
        double logDensity = 0;
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 2; c++) {
                logDensity += unit.logDensity(y.getDouble(n, c) - f.getDouble(n, c));
            }
        }
        assertEquals(-logDensity, gaussian.loss(f, y, Reduction.SUM), 1e-12);
    }

    @Test
    void hessianSqrtIsIdentityOverSigma() {
        INDArray s = gaussian.hessianSqrt(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 2, 3));
        for (int c = 0; c < 3; c++) {
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(i == c ? 1 / 0.7 : 0.0, s.getDouble(c * 2L + n, i), 1e-15);
                }
            }
        }
    }

    @Test
    void rejectsNonPositiveOrNonFiniteSigma() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Gaussian(bad));
            assertTrue(e.getMessage().contains("sigma") && e.getMessage().contains(Double.toString(bad)),
                    e.getMessage());
        }
    }

    @Test
    void rejectsNonFiniteTargets() {
        INDArray f = randomOutputs(new SplittableRandom(1), 2, 2);
        INDArray y = f.dup();
        y.putScalar(0, 1, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gaussian.loss(f, y, Reduction.MEAN));
        assertTrue(e.getMessage().contains("targets"), e.getMessage());
    }
}
