package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A KRON posterior built from factors computed outside it: its marginal likelihood against a dense Kronecker-product
 * reference and against a posterior fitted on the same data, the hyperparameter-taking marginal likelihood against
 * the stateful one and finite differences, the factor sensitivities against finite differences, and the validation
 * of the inputs.
 */
class KronLaplaceFromFactorsTest {
    private static final int N = 6;
    private static final double SIGMA = 1.3;

    private static Network net(LikelihoodType l) {
        return Fixtures.mlp(l == LikelihoodType.CLASSIFICATION ? 3 : 2, 11);
    }

    private static INDArray targets(LikelihoodType l) {
        if (l == LikelihoodType.BINARY) {
            INDArray y = Fixtures.gaussian(5, N, 2).gt(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            y.putScalar(2, 1, Double.NaN);
            return y;
        }
        return l == LikelihoodType.CLASSIFICATION ? Fixtures.classes(N, 3, 5) : Fixtures.gaussian(5, N, 2);
    }

    private static LaplaceOptions options(LikelihoodType l, KfacFlavour flavour) {
        return LaplaceOptions.builder().subset(SubsetOfWeights.ALL).likelihood(l).flavour(flavour)
                .sigma(l == LikelihoodType.REGRESSION ? SIGMA : 1.0)
                .prior(PriorPrecision.perGroup(0.5, 1.5, 0.8, 2.0)).build();
    }

    private static Map<String, KronFactors> factors(Network net, LikelihoodType l, KfacFlavour flavour) {
        KfacEstimator estimator = new KfacEstimator(net, l.curvatureLikelihood(),
                KfacOptions.builder().flavour(flavour).curvatureType(CurvatureType.GGN).build());
        estimator.accumulate(Fixtures.inputs(N, 3), targets(l));
        return estimator.factors();
    }

    /**
     * The summed data statistic by the textbook formulas: sum of -log softmax at the label, of squared errors, or of
     * -log Bernoulli over the observed binary labels.
     */
    private static double denseDataTerm(Network net, LikelihoodType l) {
        double[][] f = Fixtures.toArray(net.forward(Fixtures.inputs(N, 3), Mode.EVAL));
        if (l == LikelihoodType.BINARY) {
            double[][] b = Fixtures.toArray(targets(l));
            double sum = 0;
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < f[n].length; c++) {
                    double p = 1 / (1 + Math.exp(-f[n][c]));
                    sum -= Double.isNaN(b[n][c]) ? 0 : b[n][c] * Math.log(p) + (1 - b[n][c]) * Math.log(1 - p);
                }
            }
            return sum;
        }
        double[][] y = l == LikelihoodType.REGRESSION ? Fixtures.toArray(targets(l)) : null;
        INDArray labels = targets(l);
        double sum = 0;
        for (int n = 0; n < N; n++) {
            if (y == null) {
                double z = 0;
                for (double v : f[n]) {
                    z += Math.exp(v);
                }
                sum += Math.log(z) - f[n][(int) labels.getDouble(n)];
            } else {
                for (int c = 0; c < f[n].length; c++) {
                    sum += (y[n][c] - f[n][c]) * (y[n][c] - f[n][c]);
                }
            }
        }
        return sum;
    }

    private static KronLaplace fromFactors(Network net, LikelihoodType l, KfacFlavour flavour,
                                           Map<String, KronFactors> factors) {
        return KronLaplace.fromFactors(net, options(l, flavour), factors,
                new FitStatistics(N, l == LikelihoodType.CLASSIFICATION ? 3 : 2, denseDataTerm(net, l)));
    }

    private static DMatrixRMaj dense(INDArray m) {
        return new DMatrixRMaj(Fixtures.toArray(m));
    }

    /** log det(s B (x) A + delta_w I) + log det(s B + delta_b I) of every layer, from explicit Kronecker products. */
    private static double denseLogDet(Network net, Map<String, KronFactors> factors, double s, double[] deltas) {
        double sum = 0;
        int g = 0;
        for (WeightLayer layer : net.weightLayers()) {
            KronFactors f = factors.get(layer.path());
            DMatrixRMaj kron = new DMatrixRMaj(1, 1);
            CommonOps_DDRM.kron(dense(f.b()), dense(f.a()), kron);
            sum += Fixtures.logDet(Fixtures.precision(toRows(kron), s, fill(kron.numRows, deltas[g++])));
            DMatrixRMaj b = dense(f.b());
            sum += Fixtures.logDet(Fixtures.precision(toRows(b), s, fill(b.numRows, deltas[g++])));
        }
        return sum;
    }

    private static double[][] toRows(DMatrixRMaj m) {
        double[][] out = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                out[i][j] = m.get(i, j);
            }
        }
        return out;
    }

    private static double[] fill(int n, double v) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, v);
        return out;
    }

    @ParameterizedTest
    @EnumSource(LikelihoodType.class)
    void marginalLikelihoodMatchesTheDenseKroneckerFormulaAndAFittedPosterior(LikelihoodType l) {
        for (KfacFlavour flavour : KfacFlavour.values()) {
            Network net = net(l);
            Map<String, KronFactors> factors = factors(net, l, flavour);
            KronLaplace post = fromFactors(net, l, flavour, factors);
            double[] deltas = {0.5, 1.5, 0.8, 2.0};
            double sigma = l == LikelihoodType.REGRESSION ? SIGMA : 1.0;
            double s = 1.0 / (sigma * sigma);
            double data = denseDataTerm(net, l);
            long c = l == LikelihoodType.CLASSIFICATION ? 3 : 2;
            double logLik = l != LikelihoodType.REGRESSION ? -data
                    : -data / (2 * sigma * sigma) - N * c * Math.log(sigma * Math.sqrt(2 * Math.PI));
            double priorTerm = 0;
            int g = 0;
            for (io.kronlaplace.nn.Parameter p : net.parameters().values()) {
                INDArray v = p.value();
                double sq = v.mul(v).sumNumber().doubleValue();
                priorTerm += -0.5 * deltas[g] * sq + 0.5 * v.length() * Math.log(deltas[g]);
                g++;
            }
            double expected = logLik + priorTerm - 0.5 * denseLogDet(net, factors, s, deltas);
            MarginalLikelihood value = post.marginalLikelihood();
            assertEquals(expected, value.value(), 1e-10 * Math.abs(expected), flavour + " dense reference");

            LaplacePosterior fitted = Laplace.create(net, options(l, flavour));
            fitted.fit(Fixtures.batches(Fixtures.inputs(N, 3), targets(l), 4));
            MarginalLikelihood reference = fitted.marginalLikelihood();
            assertEquals(reference.value(), value.value(), 1e-10 * Math.abs(reference.value()), flavour + " fit");
            assertArrayEquals(reference.logPriorGradient(), value.logPriorGradient(), 1e-9,
                    flavour + " prior gradient");
            assertEquals(reference.logSigmaGradient(), value.logSigmaGradient(), 1e-9, flavour + " sigma gradient");
        }
    }

    @ParameterizedTest
    @EnumSource(LikelihoodType.class)
    void givenHyperparametersEqualSetHyperparametersAndLeaveThePosteriorUnchanged(LikelihoodType l) {
        Network net = net(l);
        KronLaplace post = fromFactors(net, l, KfacFlavour.REDUCE, factors(net, l, KfacFlavour.REDUCE));
        PriorPrecision other = PriorPrecision.perGroup(3.0, 0.2, 1.1, 0.7);
        double sigma = l == LikelihoodType.REGRESSION ? 0.6 : 1.0;
        MarginalLikelihood given = post.marginalLikelihood(other, sigma, 0.9);
        PriorPrecision before = post.priorPrecision();
        double sigmaBefore = post.sigma();
        assertEquals(before.toString(), post.priorPrecision().toString());
        assertEquals(sigmaBefore, post.sigma());
        assertEquals(1.0, post.temperature());
        post.setPriorPrecision(other);
        post.setSigma(sigma);
        post.setTemperature(0.9);
        MarginalLikelihood set = post.marginalLikelihood();
        assertEquals(set.value(), given.value(), 0.0);
        assertArrayEquals(set.logPriorGradient(), given.logPriorGradient(), 0.0);
        assertEquals(set.logSigmaGradient(), given.logSigmaGradient(), 0.0);
        assertEquals(set.logTemperatureGradient(), given.logTemperatureGradient(), 0.0);
    }

    @Test
    void sigmaGradientMatchesCentralFiniteDifferences() {
        Network net = net(LikelihoodType.REGRESSION);
        KronLaplace post = fromFactors(net, LikelihoodType.REGRESSION, KfacFlavour.REDUCE,
                factors(net, LikelihoodType.REGRESSION, KfacFlavour.REDUCE));
        PriorPrecision prior = post.priorPrecision();
        for (double logSigma : new double[] {Math.log(0.3), 0.0, Math.log(2.5)}) {
            double h = 1e-5;
            double fd = (post.marginalLikelihood(prior, Math.exp(logSigma + h), 1.0).value()
                    - post.marginalLikelihood(prior, Math.exp(logSigma - h), 1.0).value()) / (2 * h);
            double exact = post.marginalLikelihood(prior, Math.exp(logSigma), 1.0).logSigmaGradient();
            assertEquals(fd, exact, 1e-6 * Math.max(1, Math.abs(fd)), "log sigma " + logSigma);
        }
    }

    @Test
    void logDetGradientMatchesFiniteDifferencesOfTheFactors() {
        LikelihoodType l = LikelihoodType.REGRESSION;
        Network net = net(l);
        Map<String, KronFactors> factors = new LinkedHashMap<>(factors(net, l, KfacFlavour.REDUCE));
        String layer = net.weightLayers().get(0).path();
        KronFactors raw = factors.get(layer);
        // strictly positive definite factors, so that the perturbed ones keep all eigenvalues positive
        KronFactors f = new KronFactors(layer, raw.a().add(eye(raw.inFeatures())), raw.b().add(eye(raw.outFeatures())),
                KfacFlavour.REDUCE);
        factors.put(layer, f);
        KronLaplace post = fromFactors(net, l, KfacFlavour.REDUCE, factors);
        PriorPrecision prior = post.priorPrecision();
        double scale = 1.0 / (SIGMA * SIGMA);
        FactorLogDetGradient g = post.logDetGradient(layer, prior, scale);
        INDArray ea = symmetric(f.inFeatures(), 41);
        INDArray eb = symmetric(f.outFeatures(), 43);
        double h = 1e-6;
        double[] logDets = new double[2];
        for (int sign = 0; sign < 2; sign++) {
            double step = sign == 0 ? h : -h;
            Map<String, KronFactors> moved = new LinkedHashMap<>(factors);
            moved.put(layer, new KronFactors(layer, f.a().add(ea.mul(step)), f.b().add(eb.mul(step)),
                    KfacFlavour.REDUCE));
            // the data term and the weights are unchanged, so the value moves by -1/2 of the log-determinant change
            logDets[sign] = -2 * fromFactors(net, l, KfacFlavour.REDUCE, moved).marginalLikelihood().value();
        }
        double fd = (logDets[0] - logDets[1]) / (2 * h);
        double exact = inner(g.input().eigenvectors(), g.input().weights(), ea)
                + inner(g.gradient().eigenvectors(), g.gradient().weights(), eb);
        assertEquals(fd, exact, 1e-6 * Math.max(1, Math.abs(fd)));
    }

    /** tr(Q diag(w) Q^T E). */
    private static double inner(INDArray q, double[] w, INDArray e) {
        INDArray g = q.mulRowVector(Nd4j.createFromArray(w)).mmul(q.transpose());
        return g.mul(e).sumNumber().doubleValue();
    }

    private static INDArray eye(long n) {
        return Nd4j.eye(n).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).muli(0.1);
    }

    private static INDArray symmetric(long n, long seed) {
        INDArray m = Fixtures.gaussian(seed, n, n);
        return m.add(m.transpose());
    }

    @Test
    void rejectsFactorsThatDoNotFitTheNetwork() {
        LikelihoodType l = LikelihoodType.CLASSIFICATION;
        Network net = net(l);
        Map<String, KronFactors> factors = factors(net, l, KfacFlavour.REDUCE);
        FitStatistics stats = new FitStatistics(N, 3, 1.0);
        LaplaceOptions options = options(l, KfacFlavour.REDUCE);
        String first = net.weightLayers().get(0).path();

        Map<String, KronFactors> missing = new LinkedHashMap<>(factors);
        missing.remove(first);
        assertMessage(() -> KronLaplace.fromFactors(net, options, missing, stats), "covered weight layers");

        Map<String, KronFactors> wrongShape = new LinkedHashMap<>(factors);
        wrongShape.put(first, new KronFactors(first, Nd4j.eye(2).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE),
                Nd4j.eye(4).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE), KfacFlavour.REDUCE));
        assertMessage(() -> KronLaplace.fromFactors(net, options, wrongShape, stats), "weight");

        Map<String, KronFactors> negative = new LinkedHashMap<>(factors);
        KronFactors f = factors.get(first);
        negative.put(first, new KronFactors(first, f.a().neg(), f.b(), KfacFlavour.REDUCE));
        assertMessage(() -> KronLaplace.fromFactors(net, options, negative, stats), "positive semi-definite");

        INDArray nan = f.b();
        nan.putScalar(0, 0, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> new KronFactors(first, f.a(), nan, KfacFlavour.REDUCE));

        assertMessage(() -> KronLaplace.fromFactors(net, options, factors(net, l, KfacFlavour.EXPAND), stats),
                "EXPAND");
        assertMessage(() -> KronLaplace.fromFactors(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.DIAG)
                .build(), factors, stats), "KRON");
        assertMessage(() -> new FitStatistics(0, 3, 1.0), "example");
        assertMessage(() -> new FitStatistics(N, 3, Double.NaN), "data term");
    }

    @Test
    void sharedRowsAverageEachExamplesOutputsBeforeTheDataTerm() {
        // one example with two copies: logits (1, 2) and (3, 6) average to (2, 4); its label is class 1
        INDArray outputs = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 6}});
        FitStatistics stats = FitStatistics.of(LikelihoodType.CLASSIFICATION, outputs, Nd4j.createFromArray(1.0), 2);
        assertEquals(1, stats.examples());
        assertEquals(2, stats.outputs());
        assertEquals(Math.log(Math.exp(2) + Math.exp(4)) - 4, stats.dataTerm(), 1e-14);
        assertMessage(() -> SharedRows.average(Nd4j.zeros(3, 2), 2), "multiple");
    }

    @Test
    void optionsDefaultToTheExactGgnAndValidateTheCurvatureSettings() {
        LaplaceOptions defaults = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build();
        assertEquals(CurvatureType.GGN, defaults.curvatureType());
        assertEquals(1, defaults.mcSamples());
        assertEquals(1, defaults.sharedRowsPerExample());
        assertMessage(() -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).mcSamples(0).build(), "MC samples");
        assertMessage(() -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).sharedRowsPerExample(0).build(), "shared rows");
        assertMessage(() -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.DIAG)
                .curvatureType(CurvatureType.MC_FISHER).build(), "KRON only");
        assertMessage(() -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.FULL).sharedRowsPerExample(2)
                .build(), "need KRON");
    }

    @Test
    void fitWithSharedRowsOfIdenticalCopiesEqualsTheFitOfTheExamples() {
        LikelihoodType l = LikelihoodType.CLASSIFICATION;
        Network net = net(l);
        INDArray x = Fixtures.inputs(N, 3);
        INDArray twice = Nd4j.create(x.dataType(), 2L * N, x.size(1));
        for (int n = 0; n < N; n++) {
            twice.getRow(2L * n).assign(x.getRow(n));
            twice.getRow(2L * n + 1).assign(x.getRow(n));
        }
        LaplacePosterior plain = Laplace.create(net, options(l, KfacFlavour.REDUCE));
        plain.fit(Fixtures.batches(x, targets(l), N));
        LaplacePosterior shared = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).likelihood(l)
                .prior(options(l, KfacFlavour.REDUCE).prior()).sharedRowsPerExample(2).build());
        shared.fit(java.util.List.of(new Batch(twice, targets(l))).iterator());
        assertEquals(N, shared.examples());
        double expected = plain.logMarginalLikelihood();
        assertEquals(expected, shared.logMarginalLikelihood(), 1e-10 * Math.abs(expected));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
