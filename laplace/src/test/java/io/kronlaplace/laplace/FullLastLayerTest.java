package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FULL over the last layer, built from the closed form J = g^T (x) [phi; 1]^T by weighted Grams, against the dense GGN
 * of central finite-difference Jacobians and J P^-1 J^T with an explicit dense inverse (float64).
 */
class FullLastLayerTest {
    private static final int N = 7;
    private static final int C = 4;

    private static Network head(boolean bias, long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Linear(Fixtures.IN, 5, true, init), new ReLU(),
                new Linear(5, C, bias, init)));
    }

    private static INDArray targets(LikelihoodType type) {
        return switch (type) {
            case CLASSIFICATION -> Fixtures.classes(N, C, 4);
            case REGRESSION -> Fixtures.gaussian(4, N, C);
            case BINARY -> Fixtures.classes(N * C, 2, 4).reshape(N, C);
        };
    }

    /** The Jacobian columns of the last {@code count} parameters (the last layer's weight and bias, if any). */
    private static double[][][] lastColumns(double[][][] j, int count) {
        double[][][] out = new double[j.length][][];
        for (int n = 0; n < j.length; n++) {
            out[n] = new double[j[n].length][];
            for (int k = 0; k < j[n].length; k++) {
                out[n][k] = java.util.Arrays.copyOfRange(j[n][k], j[n][k].length - count, j[n][k].length);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(LikelihoodType.class)
    void hessianEqualsDenseFiniteDifferenceGgnOverSeveralBatches(LikelihoodType type) {
        for (boolean bias : new boolean[] {true, false}) {
            Network net = head(bias, 2);
            LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.FULL)
                    .subset(SubsetOfWeights.LAST_LAYER).likelihood(type).build());
            INDArray x = Fixtures.inputs(N, 3);
            INDArray y = targets(type);
            post.fit(Fixtures.batches(x, y, 3));
            double[][] want = Fixtures.ggn(lastColumns(Fixtures.jacobians(net, SubsetOfWeights.ALL, x),
                    (int) post.dim()), Fixtures.outputHessians(net, x, type, y));
            double[][] got = Fixtures.toArray(((FullLaplace) post).hessian());
            assertTrue(Fixtures.maxAbsDiff(got, want) < 1e-8 * Math.max(1, Fixtures.maxAbs(want)),
                    type + " bias=" + bias + ": " + Fixtures.maxAbsDiff(got, want));
        }
    }

    /**
     * Before any marginal-likelihood evaluation the covariance root comes from a Cholesky factorisation of P, after one
     * from the weight block's eigendecomposition and the Schur complement: both must give J P^-1 J^T.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void functionalCovarianceEqualsJacobianTimesDenseInverseForScalarAndPerGroupPriors(boolean evaluatedFirst) {
        for (PriorPrecision prior : new PriorPrecision[] {PriorPrecision.scalar(0.6),
            PriorPrecision.perGroup(0.4, 2.5)}) {
            Network net = head(true, 6);
            LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.FULL)
                    .subset(SubsetOfWeights.LAST_LAYER).temperature(0.7).build());
            post.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.classes(N, C, 5), 4));
            INDArray xs = Fixtures.inputs(5, 9);
            double[][][] j = Fixtures.jacobians(net, SubsetOfWeights.LAST_LAYER, xs);
            double[][] h = Fixtures.toArray(((FullLaplace) post).hessian());
            post.setPriorPrecision(prior);
            if (evaluatedFirst) {
                post.logDetTerms(post.scale(), prior);
            }
            DMatrixRMaj inverse = Fixtures.inverse(Fixtures.precision(h, post.scale(),
                    post.perParameterPrior(prior)));
            INDArray cov = post.functionalPrediction(xs).covariance();
            for (int n = 0; n < xs.size(0); n++) {
                for (int a = 0; a < C; a++) {
                    for (int b = 0; b < C; b++) {
                        double want = 0;
                        for (int p = 0; p < inverse.numRows; p++) {
                            for (int q = 0; q < inverse.numCols; q++) {
                                want += j[n][a][p] * inverse.get(p, q) * j[n][b][q];
                            }
                        }
                        assertEquals(want, cov.getDouble(n, a, b), 1e-8 * Math.max(1, Math.abs(want)),
                                prior + " evaluated first " + evaluatedFirst + ", example " + n + " (" + a + ", " + b + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SubsetOfWeights.class, names = {"ALL", "LAST_LAYER"})
    void perGroupLogDetAndItsGradientsEqualDenseCholeskyAndInverse(SubsetOfWeights subset) {
        Network net = head(true, 8);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.FULL)
                .subset(subset).build());
        post.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.classes(N, C, 5), 4));
        double[][] h = Fixtures.toArray(((FullLaplace) post).hessian());
        int groups = post.groupNames().size();
        double[] deltas = new double[groups];
        for (int g = 0; g < groups; g++) {
            deltas[g] = 0.3 + 0.9 * g;
        }
        PriorPrecision prior = PriorPrecision.perGroup(deltas);
        double s = 1.7;
        LogDetTerms terms = post.logDetTerms(s, prior);
        double[] delta = post.perParameterPrior(prior);
        DMatrixRMaj precision = Fixtures.precision(h, s, delta);
        assertEquals(Fixtures.logDet(precision), terms.logDet(), 1e-10 * Math.abs(terms.logDet()) + 1e-10);
        DMatrixRMaj inverse = Fixtures.inverse(precision);
        double traceInverseH = 0;
        for (int p = 0; p < h.length; p++) {
            for (int q = 0; q < h.length; q++) {
                traceInverseH += inverse.get(p, q) * h[q][p];
            }
        }
        assertEquals(traceInverseH, terms.dScale(), 1e-9 * Math.abs(traceInverseH));
        for (int g = 0; g < groups; g++) {
            ParameterGroup group = post.groups().get(g);
            double trace = 0;
            for (long i = group.offset(); i < group.offset() + group.size(); i++) {
                trace += inverse.get((int) i, (int) i);
            }
            assertEquals(trace, terms.dPrior()[g], 1e-9 * trace, "group " + g);
        }
    }

    @Test
    void acceptsA512FeatureTenClassHeadAndNamesTheLimitAboveIt() {
        Init init = new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network usual = new Network(new Sequential(new Linear(3, 512, true, init), new ReLU(),
                new Linear(512, 10, true, init)));
        LaplacePosterior post = Laplace.create(usual, LaplaceOptions.builder().structure(HessianStructure.FULL)
                .subset(SubsetOfWeights.LAST_LAYER).build());
        assertEquals(5_130, post.dim());
        Network wide = new Network(new Sequential(new Linear(3, 1025, true, init), new ReLU(),
                new Linear(1025, 10, true, init)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Laplace.create(wide,
                LaplaceOptions.builder().structure(HessianStructure.FULL).subset(SubsetOfWeights.LAST_LAYER).build()));
        assertTrue(e.getMessage().contains(String.valueOf(FullLaplace.MAX_LAST_LAYER_PARAMETERS))
                && e.getMessage().contains("KRON or DIAG") && !e.getMessage().contains("LAST_LAYER subset"),
                e.getMessage());
    }
}
