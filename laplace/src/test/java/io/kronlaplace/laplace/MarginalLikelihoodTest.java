package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The log marginal likelihood against the dense formula, and every hyper-gradient against finite differences. */
class MarginalLikelihoodTest {
    private static final int N = 6;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (HessianStructure h : HessianStructure.values()) {
            for (SubsetOfWeights s : SubsetOfWeights.values()) {
                for (LikelihoodType l : LikelihoodType.values()) {
                    if (Fixtures.supported(h, s)) {
                        out.add(Arguments.of(h, s, l));
                    }
                }
            }
        }
        return out.stream();
    }

    private static Network net(LikelihoodType l) {
        return Fixtures.mlp(l == LikelihoodType.CLASSIFICATION ? 3 : 2, 11);
    }

    private static INDArray targets(LikelihoodType l) {
        return switch (l) {
            case CLASSIFICATION -> Fixtures.classes(N, 3, 5);
            case REGRESSION -> Fixtures.gaussian(5, N, 2);
            case BINARY -> binaryLabels();
        };
    }

    /** 0/1 labels from a seeded stream with two missing (NaN) entries. */
    private static INDArray binaryLabels() {
        INDArray y = Fixtures.gaussian(5, N, 2).gt(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        y.putScalar(1, 0, Double.NaN);
        y.putScalar(4, 1, Double.NaN);
        return y;
    }

    private static LaplacePosterior fitted(HessianStructure h, SubsetOfWeights s, LikelihoodType l, Network net) {
        LaplaceOptions o = Fixtures.options(h, s).likelihood(l)
                .sigma(l == LikelihoodType.REGRESSION ? 1.3 : 1.0).temperature(0.7).build();
        LaplacePosterior post = Laplace.create(net, o);
        post.fit(Fixtures.batches(Fixtures.inputs(N, 3), targets(l), 4));
        return post;
    }

    /** The dense curvature the posterior should be using. */
    private static double[][] denseCurvature(LaplacePosterior post, Network net, SubsetOfWeights s, LikelihoodType l) {
        INDArray x = Fixtures.inputs(N, 3);
        double[][] ggn = Fixtures.ggn(Fixtures.jacobians(net, s, x), Fixtures.outputHessians(net, x, l, targets(l)));
        int p = ggn.length;
        switch (post.structure()) {
            case FULL -> {
                return ggn;
            }
            case DIAG -> {
                double[][] d = new double[p][p];
                for (int i = 0; i < p; i++) {
                    d[i][i] = ggn[i][i];
                }
                return d;
            }
            default -> {
                double[][] d = new double[p][p];
                int off = 0;
                for (CurvatureBlock b : ((KronLaplace) post).blocks()) {
                    double[][] m = Fixtures.toArray(b.dense());
                    for (int i = 0; i < m.length; i++) {
                        System.arraycopy(m[i], 0, d[off + i], off, m.length);
                    }
                    off += m.length;
                }
                return d;
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void logMarginalLikelihoodEqualsDenseFormula(HessianStructure h, SubsetOfWeights s, LikelihoodType l) {
        Network net = net(l);
        LaplacePosterior post = fitted(h, s, l, net);
        int groups = post.groupNames().size();
        double[] deltas = new double[groups];
        for (int g = 0; g < groups; g++) {
            deltas[g] = 0.5 + 0.7 * g;
        }
        post.setPriorPrecision(PriorPrecision.perGroup(deltas));
        double[][] hd = denseCurvature(post, net, s, l);
        if (h == HessianStructure.FULL) {
            double[][] mine = Fixtures.toArray(((FullLaplace) post).hessian());
            assertTrue(Fixtures.maxAbsDiff(mine, hd) < 1e-6 * Fixtures.maxAbs(hd), "FULL GGN vs finite differences");
        }
        if (h == HessianStructure.DIAG) {
            double[] mine = ((DiagLaplace) post).diagonal();
            for (int i = 0; i < mine.length; i++) {
                assertEquals(hd[i][i], mine[i], 1e-6 * Fixtures.maxAbs(hd), "DIAG GGN entry " + i);
            }
        }
        double[] theta = Fixtures.flatCovered(net, s);
        double[] delta = post.perParameterPrior(post.priorPrecision());
        double sigma = post.sigma();
        double t = post.temperature();
        double scale = 1 / (sigma * sigma * t);
        DMatrixRMaj p = Fixtures.precision(hd, scale, delta);
        double logLik = referenceLogLikelihood(net, l, sigma) / t;
        double prior = 0;
        for (int i = 0; i < theta.length; i++) {
            prior += -0.5 * delta[i] * theta[i] * theta[i] + 0.5 * Math.log(delta[i]);
        }
        double expected = logLik + prior - 0.5 * Fixtures.logDet(p);
        assertEquals(expected, post.logMarginalLikelihood(), 1e-9 * Math.abs(expected));
    }

    private static double referenceLogLikelihood(Network net, LikelihoodType l, double sigma) {
        INDArray f = net.forward(Fixtures.inputs(N, 3), Mode.EVAL);
        INDArray y = targets(l);
        double sum = 0;
        for (int n = 0; n < N; n++) {
            if (l == LikelihoodType.BINARY) {
                for (int k = 0; k < f.size(1); k++) {
                    double yk = y.getDouble(n, k);
                    double p = 1 / (1 + Math.exp(-f.getDouble(n, k)));
                    sum += Double.isNaN(yk) ? 0 : yk * Math.log(p) + (1 - yk) * Math.log(1 - p);
                }
            } else if (l == LikelihoodType.CLASSIFICATION) {
                double z = 0;
                for (int k = 0; k < f.size(1); k++) {
                    z += Math.exp(f.getDouble(n, k));
                }
                sum += f.getDouble(n, y.getInt(n)) - Math.log(z);
            } else {
                for (int k = 0; k < f.size(1); k++) {
                    double r = y.getDouble(n, k) - f.getDouble(n, k);
                    sum += -r * r / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI));
                }
            }
        }
        return sum;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void hyperGradientsMatchFiniteDifferences(HessianStructure h, SubsetOfWeights s, LikelihoodType l) {
        LaplacePosterior post = fitted(h, s, l, net(l));
        int groups = post.groupNames().size();
        List<PriorPrecision> priors = new ArrayList<>();
        priors.add(PriorPrecision.scalar(0.8));
        double[] pg = new double[groups];
        for (int g = 0; g < groups; g++) {
            pg[g] = 0.3 + 0.5 * g;
        }
        priors.add(PriorPrecision.perGroup(pg));
        if (h != HessianStructure.KRON) {
            double[] pp = new double[(int) post.dim()];
            for (int i = 0; i < pp.length; i++) {
                pp[i] = 0.2 + 0.05 * (i % 13);
            }
            priors.add(PriorPrecision.perParameter(pp));
        }
        for (PriorPrecision prior : priors) {
            post.setPriorPrecision(prior);
            MarginalLikelihood ml = post.marginalLikelihood();
            double[] logs = prior.logValues();
            for (int k = 0; k < logs.length; k++) {
                final int index = k;
                double fd = centralDifference(logs[k], v -> {
                    double[] moved = logs.clone();
                    moved[index] = v;
                    post.setPriorPrecision(prior.withLogValues(moved));
                    return post.logMarginalLikelihood();
                });
                post.setPriorPrecision(prior);
                assertClose(fd, ml.logPriorGradient()[k], prior.kind() + " prior " + k);
            }
            double logT = Math.log(post.temperature());
            double fdT = centralDifference(logT, v -> {
                post.setTemperature(Math.exp(v));
                return post.logMarginalLikelihood();
            });
            post.setTemperature(Math.exp(logT));
            assertClose(fdT, ml.logTemperatureGradient(), "log temperature with " + prior.kind());
            if (l == LikelihoodType.REGRESSION) {
                double logS = Math.log(post.sigma());
                double fdS = centralDifference(logS, v -> {
                    post.setSigma(Math.exp(v));
                    return post.logMarginalLikelihood();
                });
                post.setSigma(Math.exp(logS));
                assertClose(fdS, ml.logSigmaGradient(), "log sigma with " + prior.kind());
            }
        }
    }

    private static double centralDifference(double x, DoubleUnaryOperator f) {
        double h = 1e-4;
        return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
    }

    private static void assertClose(double fd, double analytic, String what) {
        double err = Math.abs(fd - analytic) / Math.max(Math.abs(analytic), 1e-3);
        assertTrue(err < 1e-5, what + ": finite difference " + fd + " vs closed form " + analytic + " (rel " + err
                + ")");
    }
}
