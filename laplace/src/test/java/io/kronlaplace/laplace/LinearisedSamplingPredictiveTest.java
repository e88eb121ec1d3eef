package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.predictive.GaussianPrediction;
import io.kronlaplace.laplace.predictive.LinearisedSamplingPredictive;
import io.kronlaplace.nn.Network;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The linearised sampling predictive against dense float64 references: the forward-mode outputs f + J v against
 * finite-difference Jacobians times v, and the sample covariance of J v_s against J P^-1 J^T.
 */
class LinearisedSamplingPredictiveTest {

    /** J v from the finite-difference Jacobians of the covered weights, {@code N x C}. */
    private static double[][] denseJacobianTimes(double[][][] j, INDArray v) {
        double[][] out = new double[j.length][j[0].length];
        for (int n = 0; n < j.length; n++) {
            for (int c = 0; c < j[n].length; c++) {
                for (int p = 0; p < j[n][c].length; p++) {
                    out[n][c] += j[n][c][p] * v.getDouble(p);
                }
            }
        }
        return out;
    }

    private static void assertLinearisedOutputsMatchJacobians(LaplacePosterior post, Network net, SubsetOfWeights s,
                                                              INDArray x) {
        INDArray steps = post.sampleWeightSteps(3, 17);
        INDArray outputs = post.linearisedOutputs(x, steps);
        double[][][] j = Fixtures.jacobians(net, s, x);
        INDArray mean = net.forward(x, io.kronlaplace.nn.Mode.EVAL).castTo(DataType.DOUBLE);
        for (int k = 0; k < 3; k++) {
            double[][] jv = denseJacobianTimes(j, steps.getRow(k));
            INDArray tangent = outputs.get(NDArrayIndex.point(k)).sub(mean);
            double scale = 0;
            double worst = 0;
            for (int n = 0; n < jv.length; n++) {
                for (int c = 0; c < jv[n].length; c++) {
                    scale = Math.max(scale, Math.abs(jv[n][c]));
                    worst = Math.max(worst, Math.abs(jv[n][c] - tangent.getDouble(n, c)));
                }
            }
            assertTrue(scale > 1e-3, "reference J v is not trivially small");
            assertTrue(worst < 1e-7 * scale, "linearised output differs from f + J v by " + worst + " (scale "
                    + scale + ")");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.kronlaplace.laplace.PredictiveTest#cases")
    void linearisedOutputsOfAnMlpAreMapOutputsPlusJacobianTimesStep(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(h, s, net);
        assertLinearisedOutputsMatchJacobians(post, net, s, Fixtures.gaussian(99, 4, Fixtures.IN));
    }

    @ParameterizedTest
    @EnumSource(value = SubsetOfWeights.class, names = {"ALL", "LAST_LAYER"})
    void linearisedOutputsOfAConvolutionalNetAreMapOutputsPlusJacobianTimesStep(SubsetOfWeights s) {
        Network net = Fixtures.convNet(3, 8);
        INDArray x = Fixtures.gaussian(5, 4, 2, 4, 4);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(s)
                .prior(PriorPrecision.scalar(0.5)).build());
        post.fit(List.of(new Batch(x, Fixtures.classes(4, 3, 1))).iterator());
        assertLinearisedOutputsMatchJacobians(post, net, s, Fixtures.gaussian(6, 3, 2, 4, 4));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.kronlaplace.laplace.PredictiveTest#cases")
    void sampleCovarianceOfLinearisedOutputsIsJacobianCovariance(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(h, s, net);
        DMatrixRMaj inv = Fixtures.inverse(PredictiveTest.densePrecision(post, net, s));
        INDArray xs = Fixtures.gaussian(99, 2, Fixtures.IN);
        double[][][] j = Fixtures.jacobians(net, s, xs);
        int count = 4000;
        INDArray outputs = new LinearisedSamplingPredictive(post, count, 5).outputs(xs);
        INDArray mean = net.forward(xs, io.kronlaplace.nn.Mode.EVAL).castTo(DataType.DOUBLE);
        int p = inv.numRows;
        double maxVar = 0;
        double worst = 0;
        for (int n = 0; n < j.length; n++) {
            // deviations from the MAP outputs: their mean is zero, so the covariance is their second moment
            INDArray dev = outputs.get(NDArrayIndex.all(), NDArrayIndex.point(n), NDArrayIndex.all()).sub(
                    mean.getRow(n).reshape(1, 3));
            INDArray cov = dev.transpose().mmul(dev).divi(count);
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double ref = 0;
                    for (int u = 0; u < p; u++) {
                        for (int v = 0; v < p; v++) {
                            ref += j[n][a][u] * inv.get(u, v) * j[n][b][v];
                        }
                    }
                    if (a == b) {
                        maxVar = Math.max(maxVar, ref);
                    }
                    worst = Math.max(worst, Math.abs(ref - cov.getDouble(a, b)));
                }
            }
        }
        assertTrue(maxVar > 1e-3, "reference covariance is not trivially small");
        // Monte-Carlo standard error of a second moment from 4,000 draws is at most sqrt(2 / 4000) = 0.022 max variance
        assertTrue(worst < 0.1 * maxVar, "sample covariance of J v_s vs J P^-1 J^T: " + worst + " (max variance "
                + maxVar + ")");
    }

    @Test
    void classProbabilitiesAreDistributionsIndependentOfBatching() {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(HessianStructure.KRON, SubsetOfWeights.ALL, net);
        LinearisedSamplingPredictive predictive = new LinearisedSamplingPredictive(post, 20, 3);
        INDArray xs = Fixtures.gaussian(9, 5, Fixtures.IN);
        INDArray p = predictive.classify(xs);
        assertEquals(20, predictive.samples());
        for (int n = 0; n < 5; n++) {
            assertEquals(1.0, p.getRow(n).sumNumber().doubleValue(), 1e-12);
            assertTrue(p.getRow(n).minNumber().doubleValue() > 0);
        }
        INDArray firstTwo = predictive.classify(xs.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()));
        INDArray rest = predictive.classify(xs.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()));
        assertTrue(Nd4j.vstack(firstTwo, rest).sub(p).amaxNumber().doubleValue() < 1e-12);
        assertThrows(IllegalStateException.class, () -> predictive.regress(xs));
    }

    @Test
    void regressionVarianceIsSampleVariancePlusNoise() {
        Network net = Fixtures.mlp(2, 4);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).likelihood(LikelihoodType.REGRESSION)
                .sigma(0.5).build());
        post.fit(Fixtures.batches(Fixtures.inputs(6, 3), Fixtures.gaussian(5, 6, 2), 3));
        INDArray xs = Fixtures.gaussian(7, 4, Fixtures.IN);
        LinearisedSamplingPredictive predictive = new LinearisedSamplingPredictive(post, 50, 1);
        GaussianPrediction g = predictive.regress(xs);
        INDArray outputs = predictive.outputs(xs);
        assertTrue(g.mean().sub(outputs.mean(0)).amaxNumber().doubleValue() < 1e-12);
        assertTrue(g.variance().sub(outputs.var(false, 0).add(0.25)).amaxNumber().doubleValue() < 1e-12);
        assertThrows(IllegalStateException.class, () -> predictive.classify(xs));
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior unfitted = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build());
        assertThrows(IllegalStateException.class, () -> new LinearisedSamplingPredictive(unfitted, 3, 1));
        LaplacePosterior post = PredictiveTest.fitted(HessianStructure.KRON, SubsetOfWeights.ALL, net);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinearisedSamplingPredictive(post, 0, 1));
        assertTrue(e.getMessage().contains("samples"), e.getMessage());
        INDArray xs = Fixtures.gaussian(9, 2, Fixtures.IN);
        e = assertThrows(IllegalArgumentException.class, () -> post.linearisedOutputs(xs,
                Nd4j.zeros(DataType.DOUBLE, 2, post.dim() + 1)));
        assertTrue(e.getMessage().contains("weight deviations"), e.getMessage());
        INDArray nan = Nd4j.zeros(DataType.DOUBLE, 1, post.dim());
        nan.putScalar(0, 0, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> post.linearisedOutputs(xs, nan));
    }

    @Test
    void stepsAreTheWeightSamplesWithoutTheMap() {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = PredictiveTest.fitted(HessianStructure.KRON, SubsetOfWeights.ALL, net);
        INDArray steps = post.sampleWeightSteps(4, 11);
        INDArray samples = post.sampleWeights(4, 11);
        assertTrue(samples.subRowVector(post.mapWeights()).sub(steps).amaxNumber().doubleValue() < 1e-15);
    }
}
