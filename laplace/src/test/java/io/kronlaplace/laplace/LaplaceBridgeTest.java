package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.LaplaceBridge;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.Network;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Laplace-bridge links against a reference written with explicit matrices: the Gaussian over logits conditioned
 * on a zero logit sum by the Gaussian conditioning formula, then the Dirichlet parameters of Hobbhahn et al. (2022).
 */
class LaplaceBridgeTest {
    private static final int N = 4;
    private static final int C = 5;

    /** Random means and covariances A A^T + 0.1 I, float64. */
    private static FunctionalPrediction randomPrediction(long seed) {
        Random r = new Random(seed);
        double[] mean = new double[N * C];
        double[] cov = new double[N * C * C];
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < C; k++) {
                mean[i * C + k] = 3 * r.nextGaussian();
            }
            DMatrixRMaj a = RandomMatrices_DDRM.rectangle(C, C, -1, 1, r);
            DMatrixRMaj s = new DMatrixRMaj(C, C);
            CommonOps_DDRM.multTransB(a, a, s);
            for (int k = 0; k < C; k++) {
                s.add(k, k, 0.1);
            }
            for (int k = 0; k < C; k++) {
                for (int l = 0; l < C; l++) {
                    cov[(i * C + k) * C + l] = s.get(k, l);
                }
            }
        }
        return new FunctionalPrediction(Nd4j.create(mean, new long[] {N, C}, 'c'),
                Nd4j.create(cov, new long[] {N, C, C}, 'c'));
    }

    /** Dirichlet-mean probabilities of example i by explicit conditioning on 1^T f = 0. */
    private static double[] reference(FunctionalPrediction f, int i, boolean normalised) {
        DMatrixRMaj mu = new DMatrixRMaj(C, 1);
        DMatrixRMaj sigma = new DMatrixRMaj(C, C);
        for (int k = 0; k < C; k++) {
            mu.set(k, 0, f.mean().getDouble(i, k));
            for (int l = 0; l < C; l++) {
                sigma.set(k, l, f.covariance().getDouble(i, k, l));
            }
        }
        DMatrixRMaj ones = new DMatrixRMaj(C, 1);
        ones.fill(1);
        // conditioning N(mu, Sigma) on the linear observation 1^T f = 0: gain = Sigma 1 / (1^T Sigma 1)
        DMatrixRMaj sigmaOnes = new DMatrixRMaj(C, 1);
        CommonOps_DDRM.mult(sigma, ones, sigmaOnes);
        double total = CommonOps_DDRM.dot(ones, sigmaOnes);
        DMatrixRMaj gain = sigmaOnes.copy();
        CommonOps_DDRM.divide(gain, total);
        DMatrixRMaj muZero = mu.copy();
        CommonOps_DDRM.addEquals(muZero, -CommonOps_DDRM.dot(ones, mu), gain);
        DMatrixRMaj correction = new DMatrixRMaj(C, C);
        CommonOps_DDRM.multTransB(gain, sigmaOnes, correction);
        DMatrixRMaj sigmaZero = new DMatrixRMaj(C, C);
        CommonOps_DDRM.subtract(sigma, correction, sigmaZero);
        double[] m = new double[C];
        double[] v = new double[C];
        for (int k = 0; k < C; k++) {
            m[k] = muZero.get(k, 0);
            v[k] = sigmaZero.get(k, k);
        }
        if (normalised) {
            double meanVar = java.util.Arrays.stream(v).average().orElseThrow();
            double c = meanVar / Math.sqrt(C / 2.0);
            for (int k = 0; k < C; k++) {
                m[k] /= Math.sqrt(c);
                v[k] /= c;
            }
        }
        double[] alpha = new double[C];
        double alphaSum = 0;
        for (int k = 0; k < C; k++) {
            double s = 0;
            for (int l = 0; l < C; l++) {
                s += Math.exp(m[k] - m[l]);
            }
            alpha[k] = (1 - 2.0 / C + s / (C * C)) / v[k];
            alphaSum += alpha[k];
        }
        for (int k = 0; k < C; k++) {
            alpha[k] /= alphaSum;
        }
        return alpha;
    }

    @Test
    void bridgeAndNormalisedBridgeMatchExplicitConditioningReference() {
        FunctionalPrediction f = randomPrediction(3);
        for (boolean normalised : new boolean[] {false, true}) {
            INDArray p = LaplaceBridge.probabilities(f, normalised);
            for (int i = 0; i < N; i++) {
                double[] want = reference(f, i, normalised);
                double rowSum = 0;
                for (int k = 0; k < C; k++) {
                    assertEquals(want[k], p.getDouble(i, k), 1e-12, "normalised=" + normalised + " example " + i);
                    rowSum += p.getDouble(i, k);
                }
                assertEquals(1.0, rowSum, 1e-13);
            }
        }
    }

    @Test
    void degenerateCovarianceAndOneClassAreRejected() {
        FunctionalPrediction zero = new FunctionalPrediction(Nd4j.zeros(DataType.DOUBLE, 1, 3),
                Nd4j.zeros(DataType.DOUBLE, 1, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaplaceBridge.probabilities(zero, false));
        assertTrue(e.getMessage().contains("example 0"), e.getMessage());
        FunctionalPrediction one = new FunctionalPrediction(Nd4j.zeros(DataType.DOUBLE, 2, 1),
                Nd4j.ones(DataType.DOUBLE, 2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> LaplaceBridge.probabilities(one, true));
    }

    @Test
    void glmPredictiveOffersBothBridgeLinks() {
        Network net = Fixtures.mlp(5, 11);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.FULL).build());
        post.fit(Fixtures.batches(Fixtures.inputs(6, 3), Fixtures.classes(6, 3, 5), 3));
        INDArray x = Fixtures.inputs(9, 3);
        FunctionalPrediction f = post.functionalPrediction(x);
        GlmPredictive glm = new GlmPredictive(post);
        assertTrue(glm.classify(x, LinkApproximation.BRIDGE, 0, 0).equalsWithEps(
                LaplaceBridge.probabilities(f, false), 1e-14));
        assertTrue(glm.classify(x, LinkApproximation.BRIDGE_NORM, 0, 0).equalsWithEps(
                LaplaceBridge.probabilities(f, true), 1e-14));
    }
}
