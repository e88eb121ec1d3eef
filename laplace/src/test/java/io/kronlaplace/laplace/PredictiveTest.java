package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.laplace.predictive.GaussianPrediction;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.laplace.predictive.SamplingPredictive;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Linearised and sampling predictives, posterior samples and densities against dense references. */
class PredictiveTest {
    private static final int N = 6;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (HessianStructure h : HessianStructure.values()) {
            for (SubsetOfWeights s : SubsetOfWeights.values()) {
                if (Fixtures.supported(h, s)) {
                    out.add(Arguments.of(h, s));
                }
            }
        }
        return out.stream();
    }

    static LaplacePosterior fitted(HessianStructure h, SubsetOfWeights s, Network net) {
        LaplacePosterior post = Laplace.create(net, Fixtures.options(h, s).temperature(0.8).build());
        post.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.classes(N, 3, 5), 4));
        int groups = post.groupNames().size();
        double[] deltas = new double[groups];
        for (int g = 0; g < groups; g++) {
            deltas[g] = 0.4 + 0.3 * g;
        }
        post.setPriorPrecision(PriorPrecision.perGroup(deltas));
        return post;
    }

    /** Dense posterior precision of the posterior's structure, from finite-difference Jacobians or its blocks. */
    static DMatrixRMaj densePrecision(LaplacePosterior post, Network net, SubsetOfWeights s) {
        INDArray x = Fixtures.inputs(N, 3);
        double[][] ggn = Fixtures.ggn(Fixtures.jacobians(net, s, x),
                Fixtures.outputHessians(net, x, LikelihoodType.CLASSIFICATION));
        int p = ggn.length;
        double[][] h = new double[p][p];
        switch (post.structure()) {
            case FULL -> h = ggn;
            case DIAG -> {
                for (int i = 0; i < p; i++) {
                    h[i][i] = ggn[i][i];
                }
            }
            case KRON -> {
                int off = 0;
                for (CurvatureBlock b : ((KronLaplace) post).blocks()) {
                    double[][] m = Fixtures.toArray(b.dense());
                    for (int i = 0; i < m.length; i++) {
                        System.arraycopy(m[i], 0, h[off + i], off, m.length);
                    }
                    off += m.length;
                }
            }
        }
        return Fixtures.precision(h, post.scale(), post.perParameterPrior(post.priorPrecision()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void glmCovarianceEqualsDenseJacobianProduct(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = fitted(h, s, net);
        DMatrixRMaj inv = Fixtures.inverse(densePrecision(post, net, s));
        INDArray xs = Fixtures.gaussian(99, 4, Fixtures.IN);
        double[][][] j = Fixtures.jacobians(net, s, xs);
        INDArray cov = post.functionalPrediction(xs).covariance();
        int p = inv.numRows;
        double scale = 0;
        double worst = 0;
        for (int n = 0; n < j.length; n++) {
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double ref = 0;
                    for (int u = 0; u < p; u++) {
                        for (int v = 0; v < p; v++) {
                            ref += j[n][a][u] * inv.get(u, v) * j[n][b][v];
                        }
                    }
                    scale = Math.max(scale, Math.abs(ref));
                    worst = Math.max(worst, Math.abs(ref - cov.getDouble(n, a, b)));
                }
            }
        }
        assertTrue(scale > 1e-3, "reference covariance is not trivially small");
        assertTrue(worst < 1e-6 * scale, "GLM covariance differs from J P^-1 J^T by " + worst + " (scale " + scale
                + ")");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HessianStructure.class)
    void glmCovarianceOfAConvolutionalNetEqualsDenseJacobianProduct(HessianStructure h) {
        Network net = Fixtures.convNet(3, 8);
        INDArray x = Fixtures.gaussian(5, 4, 2, 4, 4);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h)
                .prior(PriorPrecision.scalar(0.5)).build());
        post.fit(List.of(new Batch(x, Fixtures.classes(4, 3, 1))).iterator());
        double[][] ggn = Fixtures.ggn(Fixtures.jacobians(net, SubsetOfWeights.ALL, x),
                Fixtures.outputHessians(net, x, LikelihoodType.CLASSIFICATION));
        int p = ggn.length;
        double[][] hd = new double[p][p];
        if (h == HessianStructure.FULL) {
            hd = ggn;
        } else if (h == HessianStructure.DIAG) {
            for (int i = 0; i < p; i++) {
                hd[i][i] = ggn[i][i];
            }
        } else {
            int off = 0;
            for (CurvatureBlock b : ((KronLaplace) post).blocks()) {
                double[][] m = Fixtures.toArray(b.dense());
                for (int i = 0; i < m.length; i++) {
                    System.arraycopy(m[i], 0, hd[off + i], off, m.length);
                }
                off += m.length;
            }
        }
        DMatrixRMaj inv = Fixtures.inverse(Fixtures.precision(hd, 1.0, post.perParameterPrior(post.priorPrecision())));
        INDArray xs = Fixtures.gaussian(6, 3, 2, 4, 4);
        double[][][] j = Fixtures.jacobians(net, SubsetOfWeights.ALL, xs);
        INDArray cov = post.functionalPrediction(xs).covariance();
        double scale = 0;
        double worst = 0;
        for (int n = 0; n < j.length; n++) {
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double ref = 0;
                    for (int u = 0; u < p; u++) {
                        for (int v = 0; v < p; v++) {
                            ref += j[n][a][u] * inv.get(u, v) * j[n][b][v];
                        }
                    }
                    scale = Math.max(scale, Math.abs(ref));
                    worst = Math.max(worst, Math.abs(ref - cov.getDouble(n, a, b)));
                }
            }
        }
        assertTrue(scale > 1e-3, "reference covariance is not trivially small");
        assertTrue(worst < 1e-6 * scale, h + ": GLM covariance differs from J P^-1 J^T by " + worst + " (scale "
                + scale + ")");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HessianStructure.class)
    void aPredictionCutIntoChunksOfExamplesEqualsOnePass(HessianStructure h) {
        Network net = Fixtures.convNet(3, 8);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h)
                .prior(PriorPrecision.scalar(0.5)).build());
        post.fit(List.of(new Batch(Fixtures.gaussian(5, 4, 2, 4, 4), Fixtures.classes(4, 3, 1))).iterator());
        INDArray xs = Fixtures.gaussian(6, 5, 2, 4, 4);
        FunctionalPrediction whole = post.functionalPrediction(xs, 1, Long.MAX_VALUE);
        // 3 outputs: 3 rows per chunk is one example per chunk, 6 rows two examples (the last chunk holds one)
        for (long maxRows : new long[] {3, 6}) {
            FunctionalPrediction chunked = post.functionalPrediction(xs, 1, maxRows);
            assertTrue(relativeDifference(chunked.covariance(), whole.covariance()) < 1e-12,
                    h + ", " + maxRows + " rows per pass: covariances differ");
            assertTrue(relativeDifference(chunked.mean(), whole.mean()) < 1e-12,
                    h + ", " + maxRows + " rows per pass: means differ");
        }
        INDArray copies = Fixtures.gaussian(7, 6, 2, 4, 4);
        FunctionalPrediction invariant = post.functionalPrediction(copies, 2, Long.MAX_VALUE);
        FunctionalPrediction invariantChunked = post.functionalPrediction(copies, 2, 6);
        assertTrue(relativeDifference(invariantChunked.covariance(), invariant.covariance()) < 1e-12,
                h + ": chunked covariances of the invariant model differ");
        assertTrue(relativeDifference(invariantChunked.mean(), invariant.mean()) < 1e-12,
                h + ": chunked means of the invariant model differ");
    }

    @Test
    void releasingThePredictionMemoryLeavesLaterPredictionsUnchanged() {
        Network net = Fixtures.convNet(3, 8);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL)
                .structure(HessianStructure.KRON).prior(PriorPrecision.scalar(0.5)).build());
        post.fit(List.of(new Batch(Fixtures.gaussian(5, 4, 2, 4, 4), Fixtures.classes(4, 3, 1))).iterator());
        INDArray xs = Fixtures.gaussian(8, 3, 2, 4, 4);
        INDArray steps = post.sampleWeightSteps(2, 9);
        FunctionalPrediction before = post.functionalPrediction(xs);
        INDArray linearisedBefore = post.linearisedOutputs(xs, steps);
        LaplacePosterior.releasePredictionMemory();
        LaplacePosterior.releasePredictionMemory(); // nothing left to free: no error
        FunctionalPrediction after = post.functionalPrediction(xs);
        assertEquals(before.covariance(), after.covariance());
        assertEquals(before.mean(), after.mean());
        assertEquals(linearisedBefore, post.linearisedOutputs(xs, steps));
    }

    /** max |a - b| / max |b|. */
    private static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / b.amaxNumber().doubleValue();
    }

    @Test
    void bothLinksFromOnePredictionEqualTwoSeparateCalls() {
        LaplacePosterior post = fitted(HessianStructure.KRON, SubsetOfWeights.ALL, Fixtures.mlp(3, 22));
        INDArray xs = Fixtures.gaussian(98, 4, Fixtures.IN);
        GlmPredictive glm = new GlmPredictive(post);
        GlmPredictive.BothLinks both = glm.classifyWithBothLinks(xs, 50, 3);
        assertEquals(glm.classify(xs, LinkApproximation.PROBIT, 0, 0), both.probit());
        assertEquals(glm.classify(xs, LinkApproximation.MC, 50, 3), both.monteCarlo());
    }

    @Test
    void everyLinkOfAComputedFunctionalPredictionEqualsClassifyingTheInputs() {
        LaplacePosterior post = fitted(HessianStructure.KRON, SubsetOfWeights.LAST_LAYER, Fixtures.mlp(3, 23));
        INDArray xs = Fixtures.gaussian(97, 4, Fixtures.IN);
        GlmPredictive glm = new GlmPredictive(post);
        FunctionalPrediction f = post.functionalPrediction(xs);
        for (LinkApproximation link : LinkApproximation.values()) {
            assertEquals(glm.classify(xs, link, 40, 5), GlmPredictive.classify(f, link, 40, 5), link.name());
        }
    }

    @Test
    void monteCarloNumbersDoNotDependOnTheBatchSize() {
        LaplacePosterior post = fitted(HessianStructure.KRON, SubsetOfWeights.ALL, Fixtures.mlp(3, 22));
        INDArray xs = Fixtures.gaussian(97, 6, Fixtures.IN);
        GlmPredictive glm = new GlmPredictive(post);
        INDArray whole = glm.classify(xs, LinkApproximation.MC, 20, 11);
        // batches of 4 and 2 rows, each seeded with the base seed plus its first row's index
        INDArray first = glm.classify(xs.get(NDArrayIndex.interval(0, 4), NDArrayIndex.all()), LinkApproximation.MC,
                20, 11);
        INDArray second = glm.classify(xs.get(NDArrayIndex.interval(4, 6), NDArrayIndex.all()), LinkApproximation.MC,
                20, 11 + 4);
        assertEquals(whole.get(NDArrayIndex.interval(0, 4), NDArrayIndex.all()), first);
        assertEquals(whole.get(NDArrayIndex.interval(4, 6), NDArrayIndex.all()), second);
        INDArray otherSeed = glm.classify(xs.get(NDArrayIndex.interval(4, 6), NDArrayIndex.all()),
                LinkApproximation.MC, 20, 11);
        assertNotEquals(second, otherSeed, "a row's samples follow its seed");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void probitMonteCarloAndSamplingPredictivesAreDistributions(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = fitted(h, s, net);
        INDArray xs = Fixtures.gaussian(99, 5, Fixtures.IN);
        GlmPredictive glm = new GlmPredictive(post);
        for (INDArray p : List.of(glm.probit(xs), glm.classify(xs, LinkApproximation.MC, 200, 1),
                new SamplingPredictive(post).classify(xs, 20, 2))) {
            INDArray rowSums = p.sum(1);
            for (int n = 0; n < 5; n++) {
                assertEquals(1.0, rowSums.getDouble(n), 1e-12);
                for (int c = 0; c < 3; c++) {
                    assertTrue(p.getDouble(n, c) > 0 && p.getDouble(n, c) < 1);
                }
            }
        }
        // probit shrinks logits towards 0: the predictive is less confident than the MAP softmax
        INDArray map = LikelihoodType.softmax(post.functionalPrediction(xs).mean());
        INDArray probit = glm.probit(xs);
        for (int n = 0; n < 5; n++) {
            assertTrue(probit.getRow(n).maxNumber().doubleValue() <= map.getRow(n).maxNumber().doubleValue() + 1e-12);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void posteriorSamplesHaveMeanMapAndCovarianceInversePrecision(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = fitted(h, s, net);
        DMatrixRMaj inv = Fixtures.inverse(densePrecision(post, net, s));
        int count = 20000;
        INDArray samples = post.sampleWeights(count, 7);
        INDArray map = post.mapWeights();
        INDArray mean = samples.mean(0);
        int p = (int) post.dim();
        for (int i = 0; i < p; i++) {
            double sd = Math.sqrt(inv.get(i, i));
            assertEquals(map.getDouble(i), mean.getDouble(i), 5 * sd / Math.sqrt(count), "mean of coordinate " + i);
        }
        INDArray centred = samples.subRowVector(map);
        INDArray cov = centred.transpose().mmul(centred).divi(count);
        double maxVar = 0;
        double worst = 0;
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                maxVar = Math.max(maxVar, inv.get(a, a));
                worst = Math.max(worst, Math.abs(cov.getDouble(a, b) - inv.get(a, b)));
            }
        }
        assertTrue(worst < 0.05 * maxVar, "sample covariance vs P^-1: " + worst + " (max variance " + maxVar + ")");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void logPosteriorDensityEqualsDenseGaussian(HessianStructure h, SubsetOfWeights s) {
        Network net = Fixtures.mlp(3, 21);
        LaplacePosterior post = fitted(h, s, net);
        DMatrixRMaj prec = densePrecision(post, net, s);
        INDArray theta = post.sampleWeights(1, 4).getRow(0);
        double[] v = theta.sub(post.mapWeights()).toDoubleVector();
        double quad = 0;
        for (int a = 0; a < v.length; a++) {
            for (int b = 0; b < v.length; b++) {
                quad += v[a] * prec.get(a, b) * v[b];
            }
        }
        double expected = -0.5 * v.length * Math.log(2 * Math.PI) + 0.5 * Fixtures.logDet(prec) - 0.5 * quad;
        assertEquals(expected, post.logPosteriorDensity(theta), 1e-9 * Math.abs(expected));
    }

    @Test
    void kronEqualsFullForOneLinearLayerAndOneDatum() {
        Network kronNet = new Network(new Sequential(new Linear(4, 3, false, Init.kaiming(5).with(Init.Scheme.XAVIER_NORMAL))));
        kronNet.castTo(DataType.DOUBLE);
        Network fullNet = new Network(new Sequential(new Linear(4, 3, false, Init.kaiming(5).with(Init.Scheme.XAVIER_NORMAL))));
        fullNet.castTo(DataType.DOUBLE);
        INDArray x = Fixtures.gaussian(8, 1, 4);
        INDArray y = Fixtures.classes(1, 3, 2);
        LaplaceOptions.Builder o = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).prior(PriorPrecision.scalar(0.6)).temperature(1.3);
        LaplacePosterior kron = Laplace.create(kronNet, o.structure(HessianStructure.KRON).build());
        LaplacePosterior full = Laplace.create(fullNet, o.structure(HessianStructure.FULL).build());
        kron.fit(List.of(new Batch(x, y)).iterator());
        full.fit(List.of(new Batch(x, y)).iterator());
        assertEquals(full.logMarginalLikelihood(), kron.logMarginalLikelihood(), 1e-10);
        MarginalLikelihood a = kron.marginalLikelihood();
        MarginalLikelihood b = full.marginalLikelihood();
        assertEquals(b.logPriorGradient()[0], a.logPriorGradient()[0], 1e-10);
        assertEquals(b.logTemperatureGradient(), a.logTemperatureGradient(), 1e-10);
        INDArray xs = Fixtures.gaussian(9, 3, 4);
        INDArray ck = kron.functionalPrediction(xs).covariance();
        INDArray cf = full.functionalPrediction(xs).covariance();
        assertTrue(ck.sub(cf).amaxNumber().doubleValue() < 1e-10 * cf.amaxNumber().doubleValue());
        INDArray theta = full.sampleWeights(1, 3).getRow(0);
        assertEquals(full.logPosteriorDensity(theta), kron.logPosteriorDensity(theta), 1e-9);
    }

    @Test
    void regressionPredictiveAddsObservationNoise() {
        Network net = Fixtures.mlp(2, 4);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).likelihood(LikelihoodType.REGRESSION)
                .sigma(0.5).build());
        post.fit(Fixtures.batches(Fixtures.inputs(N, 3), Fixtures.gaussian(5, N, 2), 3));
        INDArray xs = Fixtures.gaussian(7, 4, Fixtures.IN);
        GaussianPrediction g = new GlmPredictive(post).regress(xs);
        INDArray fv = post.functionalPrediction(xs).variance();
        assertTrue(g.variance().sub(fv.add(0.25)).amaxNumber().doubleValue() < 1e-12);
        assertTrue(fv.minNumber().doubleValue() > 0);
        GaussianPrediction sampled = new SamplingPredictive(post).regress(xs, 200, 3);
        // sampling and linearisation agree to first order for small posterior spread
        assertTrue(sampled.mean().sub(g.mean()).amaxNumber().doubleValue()
                < 0.2 * Math.sqrt(fv.maxNumber().doubleValue()) + 0.05);
    }
}
