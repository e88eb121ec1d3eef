package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.MapPredictive;
import io.kronlaplace.laplace.predictive.Predictive;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The predictives of the invariant model (outputs averaged over S copies per example) against dense float64
 * references: the GLM covariance against J_bar P^-1 J_bar^T with J_bar the mean of the copies' finite-difference
 * Jacobians, and the MAP predictive against the softmax of the hand-averaged outputs.
 */
class InvariantPredictiveTest {
    private static final int EXAMPLES = 2;
    private static final int COPIES = 3;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.kronlaplace.laplace.PredictiveTest#cases")
    void glmCovarianceOfTheAveragedModelUsesTheMeanJacobian(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(h, s, net);
        DMatrixRMaj inv = Fixtures.inverse(PredictiveTest.densePrecision(post, net, s));
        INDArray xs = Fixtures.gaussian(99, EXAMPLES * COPIES, Fixtures.IN);
        double[][][] j = Fixtures.jacobians(net, s, xs);
        FunctionalPrediction f = post.functionalPrediction(xs, COPIES);
        INDArray outputs = net.forward(xs, Mode.EVAL).castTo(DataType.DOUBLE);
        int p = inv.numRows;
        double scale = 0;
        double worst = 0;
        for (int n = 0; n < EXAMPLES; n++) {
            double[][] meanJacobian = new double[3][p];
            for (int t = 0; t < COPIES; t++) {
                for (int a = 0; a < 3; a++) {
                    for (int u = 0; u < p; u++) {
                        meanJacobian[a][u] += j[n * COPIES + t][a][u] / COPIES;
                    }
                }
            }
            for (int a = 0; a < 3; a++) {
                double meanOutput = 0;
                for (int t = 0; t < COPIES; t++) {
                    meanOutput += outputs.getDouble(n * COPIES + t, a) / COPIES;
                }
                assertEquals(meanOutput, f.mean().getDouble(n, a), 1e-12);
                for (int b = 0; b < 3; b++) {
                    double ref = 0;
                    for (int u = 0; u < p; u++) {
                        for (int v = 0; v < p; v++) {
                            ref += meanJacobian[a][u] * inv.get(u, v) * meanJacobian[b][v];
                        }
                    }
                    scale = Math.max(scale, Math.abs(ref));
                    worst = Math.max(worst, Math.abs(ref - f.covariance().getDouble(n, a, b)));
                }
            }
        }
        assertTrue(scale > 1e-3, "reference covariance is not trivially small");
        assertTrue(worst < 1e-6 * scale, "invariant GLM covariance differs from J_bar P^-1 J_bar^T by " + worst
                + " (scale " + scale + ")");
    }

    @Test
    void identicalCopiesOfAConvolutionalInputPredictLikeTheInputItself() {
        Network net = Fixtures.convNet(3, 8);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).prior(PriorPrecision.scalar(0.5))
                .build());
        post.fit(List.of(new Batch(Fixtures.gaussian(5, 4, 2, 4, 4), Fixtures.classes(4, 3, 1))).iterator());
        INDArray x = Fixtures.gaussian(6, EXAMPLES, 2, 4, 4);
        INDArray copies = x.reshape(EXAMPLES, 1, 2, 4, 4).repeat(1, COPIES).reshape(EXAMPLES * COPIES, 2, 4, 4);
        FunctionalPrediction single = post.functionalPrediction(x);
        FunctionalPrediction averaged = post.functionalPrediction(copies, COPIES);
        double scale = single.covariance().amaxNumber().doubleValue();
        assertTrue(scale > 1e-3, "reference covariance is not trivially small");
        assertTrue(single.covariance().sub(averaged.covariance()).amaxNumber().doubleValue() < 1e-10 * scale);
        assertTrue(single.mean().sub(averaged.mean()).amaxNumber().doubleValue() < 1e-12);
    }

    @Test
    void mapAndGlmPredictivesOfTheInvariantModelSwapBehindOneInterface() {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(HessianStructure.KRON, SubsetOfWeights.ALL, net);
        INDArray xs = Fixtures.gaussian(7, EXAMPLES * COPIES, Fixtures.IN);
        INDArray outputs = net.forward(xs, Mode.EVAL).castTo(DataType.DOUBLE);
        Predictive map = new MapPredictive(net, 1.0, COPIES);
        Predictive glm = new GlmPredictive(post, COPIES);
        FunctionalPrediction f = post.functionalPrediction(xs, COPIES);
        for (Predictive predictive : List.of(map, glm)) {
            INDArray probabilities = predictive.classify(xs);
            assertEquals(EXAMPLES, probabilities.size(0));
            for (int n = 0; n < EXAMPLES; n++) {
                double[] logits = new double[3];
                double z = 0;
                for (int a = 0; a < 3; a++) {
                    for (int t = 0; t < COPIES; t++) {
                        logits[a] += outputs.getDouble(n * COPIES + t, a) / COPIES;
                    }
                    if (predictive == glm) {
                        logits[a] /= Math.sqrt(1 + Math.PI / 8 * f.covariance().getDouble(n, a, a));
                    }
                    z += Math.exp(logits[a]);
                }
                for (int a = 0; a < 3; a++) {
                    assertEquals(Math.exp(logits[a]) / z, probabilities.getDouble(n, a), 1e-12);
                }
            }
        }
    }

    @Test
    void mapRegressionPredictiveIsTheOutputWithObservationNoise() {
        Network net = Fixtures.mlp(2, 4);
        INDArray xs = Fixtures.gaussian(8, 3, Fixtures.IN);
        var prediction = new MapPredictive(net, 0.5, 1).regress(xs);
        INDArray outputs = net.forward(xs, Mode.EVAL).castTo(DataType.DOUBLE);
        assertEquals(0.0, prediction.mean().sub(outputs).amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, prediction.functionalVariance().amaxNumber().doubleValue(), 0.0);
        assertEquals(0.25, prediction.variance().getDouble(2, 1), 0.0);
    }

    @Test
    void rowsThatAreNotWholeExamplesAreRejected() {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(HessianStructure.KRON, SubsetOfWeights.ALL, net);
        INDArray xs = Fixtures.gaussian(7, 5, Fixtures.IN);
        assertThrows(IllegalArgumentException.class, () -> post.functionalPrediction(xs, COPIES));
        assertThrows(IllegalArgumentException.class, () -> new MapPredictive(net, 1.0, COPIES).classify(xs));
        assertThrows(IllegalArgumentException.class, () -> new MapPredictive(net, 0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new GlmPredictive(post, 0));
    }
}
