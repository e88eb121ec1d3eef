package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Subnetwork Laplace against dense float64 references (finite-difference Jacobians restricted to the chosen columns,
 * dense GGN, dense inverse), and the selection rules on hand-made variances and magnitudes.
 */
class SubnetworkLaplaceTest {
    private static final int N = 7;
    private static final double SIGMA = 0.8;

    /** A regression posterior over the given parameters of a two-output MLP, per-group prior. */
    private static LaplacePosterior fitted(Network net, Subnetwork subnetwork) {
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.FULL)
                .subset(SubsetOfWeights.SUBNETWORK).subnetwork(subnetwork).likelihood(LikelihoodType.REGRESSION)
                .sigma(SIGMA).build());
        post.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.gaussian(5, N, 2), 3));
        double[] deltas = new double[post.groupNames().size()];
        for (int g = 0; g < deltas.length; g++) {
            deltas[g] = 0.6 + 0.4 * g;
        }
        post.setPriorPrecision(PriorPrecision.perGroup(deltas));
        return post;
    }

    @Test
    void covarianceLogDetAndPredictiveVarianceEqualDenseReferenceOnTheChosenColumns() {
        Network net = Fixtures.mlp(2, 31);
        // first layer: two weights and a bias; last layer: its bias only (no weight), so one layer's direction is
        // bias-only
        int[] chosen = {24, 2, 9, 14};
        LaplacePosterior post = fitted(net, Subnetwork.of(chosen));
        assertEquals(List.of("0.weight", "0.bias", "2.bias"), post.groupNames());
        assertEquals(4, post.dim());

        INDArray x = Fixtures.inputs(N, 3);
        double[][][] jAll = Fixtures.jacobians(net, SubsetOfWeights.ALL, x);
        double[][][] j = restrict(jAll, new int[] {2, 9, 14, 24});
        double[][] ggn = Fixtures.ggn(j, Fixtures.outputHessians(net, x, LikelihoodType.REGRESSION));
        double[][] mine = Fixtures.toArray(((FullLaplace) post).hessian());
        assertTrue(Fixtures.maxAbsDiff(mine, ggn) < 1e-6 * Fixtures.maxAbs(ggn), "GGN over the chosen columns");

        double[] delta = post.perParameterPrior(post.priorPrecision());
        DMatrixRMaj precision = Fixtures.precision(ggn, 1 / (SIGMA * SIGMA), delta);
        double[][] covariance = Fixtures.toArray(((FullLaplace) post).posteriorCovariance());
        DMatrixRMaj inverse = Fixtures.inverse(precision);
        double[][] reference = new double[4][4];
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                reference[a][b] = inverse.get(a, b);
            }
        }
        assertTrue(Fixtures.maxAbsDiff(covariance, reference) < 1e-8 * Fixtures.maxAbs(reference), "covariance");

        double logDet = Fixtures.logDet(precision);
        assertEquals(-2 * Math.log(2 * Math.PI) + 0.5 * logDet, post.logPosteriorDensity(post.mapWeights()), 1e-8,
                "log density at the MAP = -d/2 log 2 pi + 1/2 log det P");

        double[] all = Fixtures.flatCovered(net, SubsetOfWeights.ALL);
        double[] theta = {all[2], all[9], all[14], all[24]};
        double rss = 0;
        INDArray f = net.forward(x, io.kronlaplace.nn.Mode.EVAL);
        INDArray y = Fixtures.gaussian(5, N, 2);
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < 2; k++) {
                double r = y.getDouble(n, k) - f.getDouble(n, k);
                rss += r * r;
            }
        }
        double expected = -rss / (2 * SIGMA * SIGMA) - 2 * N * Math.log(SIGMA * Math.sqrt(2 * Math.PI))
                - 0.5 * logDet;
        for (int i = 0; i < theta.length; i++) {
            expected += -0.5 * delta[i] * theta[i] * theta[i] + 0.5 * Math.log(delta[i]);
        }
        assertEquals(expected, post.logMarginalLikelihood(), 1e-9 * Math.abs(expected), "log marginal likelihood");

        INDArray xs = Fixtures.gaussian(77, 3, Fixtures.IN);
        double[][][] js = restrict(Fixtures.jacobians(net, SubsetOfWeights.ALL, xs), new int[] {2, 9, 14, 24});
        INDArray predictive = post.functionalPrediction(xs).covariance();
        for (int n = 0; n < 3; n++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    double ref = 0;
                    for (int u = 0; u < 4; u++) {
                        for (int v = 0; v < 4; v++) {
                            ref += js[n][a][u] * reference[u][v] * js[n][b][v];
                        }
                    }
                    assertEquals(ref, predictive.getDouble(n, a, b), 1e-7 * Math.max(1e-3, Math.abs(ref)),
                            "J_S P^-1 J_S^T at example " + n + " (" + a + ", " + b + ")");
                }
            }
        }
    }

    private static double[][][] restrict(double[][][] j, int[] columns) {
        double[][][] out = new double[j.length][j[0].length][columns.length];
        for (int n = 0; n < j.length; n++) {
            for (int k = 0; k < j[n].length; k++) {
                for (int c = 0; c < columns.length; c++) {
                    out[n][k][c] = j[n][k][columns[c]];
                }
            }
        }
        return out;
    }

    @Test
    void theSubnetworkOfEveryParameterIsTheFullPosteriorOverAllWeights() {
        Network net = Fixtures.mlp(2, 32);
        int total = Math.toIntExact(net.parameters().values().stream().mapToLong(Parameter::size).sum());
        LaplacePosterior subnet = fitted(net, Subnetwork.of(java.util.stream.IntStream.range(0, total).toArray()));
        LaplacePosterior all = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.FULL)
                .likelihood(LikelihoodType.REGRESSION).sigma(SIGMA).build());
        all.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.gaussian(5, N, 2), 3));
        all.setPriorPrecision(subnet.priorPrecision());
        assertEquals(all.groupNames(), subnet.groupNames());
        assertEquals(all.logMarginalLikelihood(), subnet.logMarginalLikelihood(), 1e-10);
        assertArrayEquals(all.marginalLikelihood().logPriorGradient(), subnet.marginalLikelihood().logPriorGradient(), 1e-10);
    }

    @Test
    void priorTuningRaisesTheLogMarginalLikelihood() {
        LaplacePosterior post = fitted(Fixtures.mlp(2, 33), Subnetwork.of(1, 5, 13, 20, 25));
        post.setPriorPrecision(PriorPrecision.scalar(30.0));
        double before = post.logMarginalLikelihood();
        MarginalLikelihoodTuner.priorOnly().tune(post);
        double after = post.logMarginalLikelihood();
        assertTrue(after > before + 1e-3, "tuned " + after + " vs " + before);
    }

    @Test
    void largestTakesTheHighestScoresAndTheLowerIndexOnTies() {
        double[] scores = {0.1, 5.0, -3.0, 2.0, 5.0, 2.0, 0.0};
        assertArrayEquals(new int[] {1, 4}, Subnetwork.largest(scores, 2).indices());
        assertArrayEquals(new int[] {1, 3, 4}, Subnetwork.largest(scores, 3).indices());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, Subnetwork.largest(scores, 7).indices());
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.largest(scores, 0));
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.largest(scores, 8));
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.largest(new double[] {1, Double.NaN}, 1));
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.of(3, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.of(-1));
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.of());
        assertArrayEquals(new int[] {1, 3, 8}, Subnetwork.of(8, 1, 3).indices());
    }

    @Test
    void largestMagnitudeChoosesTheLargestAbsoluteWeights() {
        Network net = Fixtures.mlp(2, 34);
        for (Parameter p : net.parameters().values()) {
            p.value().assign(0.01);
        }
        // flat order: 0.weight 0..11, 0.bias 12..15, 2.weight 16..23, 2.bias 24..25
        net.parameter("0.weight").value().reshape(12).putScalar(7, -4.0);
        net.parameter("0.bias").value().putScalar(2, 3.0);
        net.parameter("2.weight").value().reshape(8).putScalar(0, -2.0);
        net.parameter("2.bias").value().putScalar(1, 0.5);
        assertArrayEquals(new int[] {7, 14, 16}, Subnetwork.largestMagnitude(net, 3).indices());
        assertArrayEquals(new int[] {7, 14, 16, 25}, Subnetwork.largestMagnitude(net, 4).indices());
    }

    @Test
    void largestVarianceChoosesTheParametersWithTheWeakestPrecision() {
        Network net = Fixtures.mlp(2, 35);
        DiagLaplace diag = (DiagLaplace) Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.DIAG)
                .likelihood(LikelihoodType.REGRESSION).build());
        diag.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.gaussian(5, N, 2), 3));
        // a weak prior on three parameters makes theirs the largest variances whatever the small GGN diagonal is
        double[] prior = new double[26];
        java.util.Arrays.fill(prior, 1e6);
        prior[3] = 1e-3;
        prior[12] = 2e-3;
        prior[21] = 3e-3;
        diag.setPriorPrecision(PriorPrecision.perParameter(prior));
        double[] h = diag.diagonal();
        double[] variances = diag.marginalVariances();
        for (int i = 0; i < h.length; i++) {
            assertEquals(1 / (h[i] + prior[i]), variances[i], 1e-12 * variances[i], "variance " + i);
        }
        assertArrayEquals(new int[] {3, 12, 21}, Subnetwork.largestVariance(diag, 3).indices());
        DiagLaplace lastLayer = (DiagLaplace) Laplace.create(net, LaplaceOptions.builder()
                .structure(HessianStructure.DIAG).subset(SubsetOfWeights.LAST_LAYER).build());
        assertThrows(IllegalArgumentException.class, () -> Subnetwork.largestVariance(lastLayer, 2));
    }

    @Test
    void unsupportedOptionsAreRejectedNamingTheProblem() {
        Subnetwork s = Subnetwork.of(1, 2);
        IllegalArgumentException kron = assertThrows(IllegalArgumentException.class, () -> LaplaceOptions.builder()
                .subset(SubsetOfWeights.SUBNETWORK).subnetwork(s).build());
        assertTrue(kron.getMessage().contains("FULL"), kron.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> LaplaceOptions
                .builder().structure(HessianStructure.FULL).subset(SubsetOfWeights.SUBNETWORK).build());
        assertTrue(missing.getMessage().contains("indices"), missing.getMessage());
        IllegalArgumentException stray = assertThrows(IllegalArgumentException.class, () -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL)
                .structure(HessianStructure.FULL).subnetwork(s).build());
        assertTrue(stray.getMessage().contains("SUBNETWORK"), stray.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> Laplace.create(
                Fixtures.mlp(2, 1), LaplaceOptions.builder().structure(HessianStructure.FULL)
                        .subset(SubsetOfWeights.SUBNETWORK).subnetwork(Subnetwork.of(3, 26)).build()));
        assertTrue(range.getMessage().contains("26") && range.getMessage().contains("out of range"),
                range.getMessage());
    }
}
