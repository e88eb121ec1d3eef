package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.SegmentLinear;
import io.kronlaplace.nn.Sequential;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Verification items 3-5 of docs/kfac.md (section Verification): one datum through a nonlinear MLP (K-FAC == GGN
 * block), MC Fisher convergence, empirical Fisher, loss scaling, mini-batch additivity, refits and bad input.
 */
class KfacEstimatorTest {

    @Test
    void aPassHoldsTheSameNumberOfInputValuesWhateverTheRowsSize() {
        assertEquals(256, KfacEstimator.maxBackpropRows(Nd4j.zeros(DataType.FLOAT, 10, 3, 32, 32)),
                "256 rows of CIFAR-shaped images");
        assertEquals(1536, KfacEstimator.maxBackpropRows(Nd4j.zeros(DataType.FLOAT, 100, 512)),
                "six times as many rows of 512 features");
        assertEquals(1, KfacEstimator.maxBackpropRows(Nd4j.zeros(DataType.FLOAT, 2, 3, 600, 600)),
                "at least one row, however large");
        assertEquals(4096, KfacEstimator.maxBackpropRows(Nd4j.zeros(DataType.FLOAT, 100_000, 10)),
                "at most 4,096 rows, however small: 10 features would allow 78,643");
    }

    @Test
    void examplesPerPassDivideTheRowBoundByTheRowsOfOneExampleUnlessRowsMustPassTogether() {
        Init init = new Init(2, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network independent = new Network(new Sequential(new Linear(512, 10, true, init)));
        INDArray features = Nd4j.zeros(DataType.DOUBLE, 100, 512);
        assertEquals(153, KfacEstimator.examplesPerPass(independent, features, 0, 10, 1),
                "1,536 rows of 512 features over 10 vectors per example");
        assertEquals(2, KfacEstimator.examplesPerPass(independent, features, 9, 2, 2), "9 rows over 2 x 2 per example");
        assertEquals(1, KfacEstimator.examplesPerPass(independent, features, 3, 10, 1), "at least one example");
        Network segmented = new Network(new Sequential(new SegmentLinear(512, 10, true, init,
                () -> new RowSegments(new int[] {60, 40}))));
        assertEquals(50, KfacEstimator.examplesPerPass(segmented, features, 9, 10, 2),
                "the whole batch (100 rows of 2 per example) in one pass");
    }

    private static Network mlp(long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        return new Network(new Sequential(new Linear(3, 5, true, init), new ReLU(), new Linear(5, 4, true, init),
                new TestModules.Tanh(), new Linear(4, 3, true, init)));
    }

    private static INDArray datum(long seed, long rows) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, rows, 3);
    }

    private static Map<String, KronFactors> fit(Network net, Likelihood lik, KfacOptions options, INDArray x,
                                                INDArray y) {
        KfacEstimator est = new KfacEstimator(net, lik, options);
        est.accumulate(x, y);
        return est.factors();
    }

    private static double worstWeightError(Network net, Map<String, KronFactors> factors, INDArray dense) {
        double worst = 0;
        for (KronFactors f : factors.values()) {
            INDArray exact = DenseReference.block(net, dense, f.layerPath() + ".weight");
            worst = Math.max(worst, relativeError(DenseReference.kron(f.b(), f.a()), exact));
            INDArray exactBias = DenseReference.block(net, dense, f.layerPath() + ".bias");
            worst = Math.max(worst, relativeError(f.b(), exactBias));
        }
        return worst;
    }

    @Test
    void oneDatumMlpMatchesTheGgnForCrossEntropyAndMse() {
        Network net = mlp(21);
        INDArray x = datum(22, 1);
        Map<Likelihood, Function<INDArray, INDArray>> cases = Map.of(
                new CrossEntropy(), DenseReference::crossEntropyHessian,
                new Gaussian(1.0), DenseReference::mseHessian);
        for (var c : cases.entrySet()) {
            INDArray ggn = DenseReference.ggn(net, x, 1, c.getValue());
            for (KfacFlavour flavour : KfacFlavour.values()) {
                double e = worstWeightError(net, fit(net, c.getKey(), KfacOptions.builder().flavour(flavour).build(),
                        x, null), ggn);
                assertTrue(e < 1e-7, c.getKey().getClass().getSimpleName() + " " + flavour + ": " + e);
            }
        }
    }

    @Test
    void gaussianNoiseScalesTheGgnByOneOverSigmaSquared() {
        Network net = mlp(23);
        INDArray x = datum(24, 1);
        INDArray ggn = DenseReference.ggn(net, x, 1, f -> DenseReference.mseHessian(f).divi(0.25));
        assertTrue(worstWeightError(net, fit(net, new Gaussian(0.5), KfacOptions.defaults(), x, null), ggn) < 1e-7);
    }

    @Test
    void monteCarloFisherConvergesToTheGgn() {
        Network net = mlp(25);
        INDArray x = datum(26, 1);
        INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::crossEntropyHessian);
        KfacOptions many = KfacOptions.builder().curvatureType(CurvatureType.MC_FISHER).mcSamples(20_000).seed(3)
                .build();
        double e = worstWeightError(net, fit(net, new CrossEntropy(), many, x, null), ggn);
        assertTrue(e < 0.05, "20000 samples: " + e);
        KfacOptions one = many.toBuilder().mcSamples(1).build();
        double single = worstWeightError(net, fit(net, new CrossEntropy(), one, x, null), ggn);
        assertTrue(single > e, "one sample should be further from the GGN than 20000: " + single + " vs " + e);
    }

    @Test
    void empiricalFisherOfOneDatumIsTheGradientOuterProduct() {
        Network net = mlp(27);
        INDArray x = datum(28, 1);
        INDArray y = Nd4j.createFromArray(2.0);
        CrossEntropy ce = new CrossEntropy();
        INDArray g = lossGradientByFiniteDifferences(net, ce, x, y);
        INDArray ef = g.reshape(g.length(), 1).mmul(g.reshape(1, g.length()));
        KfacOptions options = KfacOptions.builder().curvatureType(CurvatureType.EMPIRICAL_FISHER).build();
        assertTrue(worstWeightError(net, fit(net, ce, options, x, y), ef) < 1e-6);
    }

    private static INDArray lossGradientByFiniteDifferences(Network net, Likelihood lik, INDArray x, INDArray y) {
        INDArray theta = net.flatParameters().dup();
        INDArray g = Nd4j.zeros(DataType.DOUBLE, theta.length());
        double eps = 1e-6;
        for (long i = 0; i < theta.length(); i++) {
            INDArray t = theta.dup();
            t.putScalar(i, theta.getDouble(i) + eps);
            net.setFlatParameters(t);
            double plus = lik.loss(net.forward(x, Mode.EVAL), y, Reduction.SUM);
            t.putScalar(i, theta.getDouble(i) - eps);
            net.setFlatParameters(t);
            double minus = lik.loss(net.forward(x, Mode.EVAL), y, Reduction.SUM);
            g.putScalar(i, (plus - minus) / (2 * eps));
        }
        net.setFlatParameters(theta);
        return g;
    }

    @Test
    void factorsAreForTheSummedLossMeanLossScalesByN() {
        Network net = mlp(29);
        INDArray x = datum(30, 4);
        INDArray twice = Nd4j.vstack(x, x);
        for (KfacFlavour flavour : KfacFlavour.values()) {
            KfacOptions o = KfacOptions.builder().flavour(flavour).build();
            Map<String, KronFactors> once = fit(net, new CrossEntropy(), o, x, null);
            Map<String, KronFactors> doubled = fit(net, new CrossEntropy(), o, twice, null);
            for (String layer : once.keySet()) {
                assertTrue(relativeError(doubled.get(layer).a(), once.get(layer).a()) < 1e-12,
                        "A is an average over examples");
                assertTrue(relativeError(doubled.get(layer).b(), once.get(layer).b().mul(2)) < 1e-12,
                        "B is a sum over examples");
            }
        }
        // With MSE the last layer's K-FAC is exact for any N (B = N I, A = mean a a^T), so N * GGN(mean loss),
        // computed from the mean-loss Hessian I / N, must equal B (x) A of the summed loss.
        INDArray ggnMean = DenseReference.ggn(net, x, 1, f -> DenseReference.mseHessian(f).divi(4));
        KronFactors last = fit(net, new Gaussian(1.0), KfacOptions.defaults(), x, null).get("4");
        assertTrue(relativeError(DenseReference.kron(last.b(), last.a()),
                DenseReference.block(net, ggnMean, "4.weight").mul(4)) < 1e-7);
        KronFactors first = fit(net, new Gaussian(1.0), KfacOptions.defaults(), x, null).get("0");
        assertTrue(relativeError(DenseReference.kron(first.b(), first.a()),
                DenseReference.block(net, ggnMean, "0.weight").mul(4)) > 1e-3,
                "the first layer of a nonlinear MLP over several examples is only approximated");
    }

    @Test
    void batchesAddUpToTheWholeBatchAndResetRefits() {
        Network net = strideTwoConvNet(31);
        Nd4j.getRandom().setSeed(32);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 6, 2, 5, 5);
        INDArray y = Nd4j.createFromArray(0.0, 1, 2, 0, 1, 2);
        for (CurvatureType type : CurvatureType.values()) {
            for (KfacFlavour flavour : KfacFlavour.values()) {
                KfacOptions o = KfacOptions.builder().flavour(flavour).curvatureType(type).mcSamples(2).build();
                KfacEstimator whole = new KfacEstimator(net, new CrossEntropy(), o);
                whole.accumulate(x, y);
                KfacEstimator halves = new KfacEstimator(net, new CrossEntropy(), o);
                halves.accumulate(x.get(NDArrayIndex.interval(0, 2)), y.get(NDArrayIndex.interval(0, 2)));
                halves.accumulate(x.get(NDArrayIndex.interval(2, 6)), y.get(NDArrayIndex.interval(2, 6)));
                assertEquals(6, halves.examplesSeen());
                if (type != CurvatureType.MC_FISHER) {
                    assertSame(whole.factors(), halves.factors(), type + " " + flavour);
                }
                Map<String, KronFactors> before = halves.factors();
                halves.reset();
                assertEquals(0, halves.examplesSeen());
                assertThrows(IllegalStateException.class, halves::factors);
                halves.accumulate(x.get(NDArrayIndex.interval(0, 2)), y.get(NDArrayIndex.interval(0, 2)));
                halves.accumulate(x.get(NDArrayIndex.interval(2, 6)), y.get(NDArrayIndex.interval(2, 6)));
                assertSame(before, halves.factors(), "a reset refit repeats the fit, " + type + " " + flavour);
            }
        }
    }

    @Test
    void closedFactorsLendTheirMemoryToTheNextReadOutAndOpenOnesKeepTheirValues() {
        Network net = strideTwoConvNet(33);
        Nd4j.getRandom().setSeed(34);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 6, 2, 5, 5);
        INDArray y = Nd4j.createFromArray(0.0, 1, 2, 0, 1, 2);
        KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(),
                KfacOptions.builder().curvatureType(CurvatureType.GGN).build());
        estimator.accumulate(x, y);
        Map<String, KronFactors> first = estimator.factors();
        Map<String, INDArray> firstA = new java.util.HashMap<>();
        Map<String, Long> firstAddress = new java.util.HashMap<>();
        first.forEach((path, f) -> {
            firstA.put(path, f.a());
            firstAddress.put(path, f.aView().data().address());
        });

        // factors still open are never written by a later read-out, even of other data
        estimator.reset();
        estimator.accumulate(x.mul(3), y);
        Map<String, KronFactors> second = estimator.factors();
        first.forEach((path, f) -> {
            assertEquals(0.0, relativeError(firstA.get(path), f.a()), path);
            assertTrue(f.aView().data().address() != second.get(path).aView().data().address(), path);
        });

        // closed factors give their arrays to the next read-out, which overwrites them with the right values
        KronFactors.closeAll(first.values());
        KronFactors.closeAll(first.values());
        // arrays of the same sizes, so that memory merely freed by close() would not come back to the read-out
        java.util.List<INDArray> sameSizes = new java.util.ArrayList<>();
        first.values().forEach(f -> {
            sameSizes.add(Nd4j.create(DataType.DOUBLE, firstA.get(f.layerPath()).shape()));
            sameSizes.add(Nd4j.create(DataType.DOUBLE, second.get(f.layerPath()).bView().shape()));
        });
        estimator.reset();
        estimator.accumulate(x, y);
        Map<String, KronFactors> third = estimator.factors();
        third.forEach((path, f) -> {
            assertEquals(0.0, relativeError(firstA.get(path), f.a()), path);
            assertEquals(firstAddress.get(path), f.aView().data().address(), "recycled memory of A, " + path);
        });
        sameSizes.forEach(INDArray::close);
        KronFactors closed = first.get("0");
        assertTrue(closed.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, closed::a);
        assertTrue(e.getMessage().contains("layer '0'") && e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> KronDecomposition.of(closed));
        // decompositions() reads and closes factors of its own; the sums and the factors handed out stay as they were
        KronDecomposition expected = KronDecomposition.of(third.get("0"));
        for (int call = 0; call < 2; call++) {
            KronDecomposition d = estimator.decompositions().get("0");
            assertEquals(0.0, relativeError(expected.laView(), d.laView()), "call " + call);
        }
        assertEquals(0.0, relativeError(firstA.get("0"), third.get("0").a()));
    }

    @Test
    void aBatchBackPropagatedInChunksOfExamplesGivesTheFactorsOfOnePass() {
        Network net = strideTwoConvNet(35);
        Nd4j.getRandom().setSeed(36);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 6, 2, 5, 5);
        for (int shared : new int[] {1, 2}) {
            INDArray y = shared == 1 ? Nd4j.createFromArray(0.0, 1, 2, 0, 1, 2) : Nd4j.createFromArray(0.0, 1, 2);
            for (CurvatureType type : CurvatureType.values()) {
                for (KfacFlavour flavour : KfacFlavour.values()) {
                    // 2 MC samples per row: the chunks must keep each example's own draws of both copies
                    KfacOptions o = KfacOptions.builder().flavour(flavour).curvatureType(type).mcSamples(2)
                            .sharedRowsPerExample(shared).build();
                    KfacEstimator whole = new KfacEstimator(net, new CrossEntropy(), o);
                    INDArray outputs = whole.accumulate(x, y);
                    for (long rows : new long[] {1, 4, 9}) {
                        KfacEstimator chunked = new KfacEstimator(net, new CrossEntropy(), o);
                        chunked.maxBackpropRows(rows);
                        INDArray chunkedOutputs = chunked.accumulate(x, y);
                        String what = type + " " + flavour + ", S = " + shared + ", " + rows + " rows";
                        assertSame(whole.factors(), chunked.factors(), what);
                        assertTrue(relativeError(chunkedOutputs, outputs) < 1e-14, what + ": outputs");
                        assertEquals(6 / shared, chunked.examplesSeen(), what);
                    }
                }
            }
        }
    }

    private static void assertSame(Map<String, KronFactors> expected, Map<String, KronFactors> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String layer : expected.keySet()) {
            assertTrue(relativeError(actual.get(layer).a(), expected.get(layer).a()) < 1e-12, what + " A " + layer);
            assertTrue(relativeError(actual.get(layer).b(), expected.get(layer).b()) < 1e-12, what + " B " + layer);
        }
    }

    @Test
    void float32NetworksGiveFloat64FactorsCloseToTheFloat64Ones() {
        Network net = mlp(33);
        INDArray x = datum(34, 5);
        Map<String, KronFactors> f64 = fit(net, new CrossEntropy(), KfacOptions.defaults(), x, null);
        net.castTo(DataType.FLOAT);
        Map<String, KronFactors> f32 = fit(net, new CrossEntropy(), KfacOptions.defaults(),
                x.castTo(DataType.FLOAT), null);
        for (String layer : f64.keySet()) {
            assertEquals(DataType.DOUBLE, f32.get(layer).a().dataType());
            assertTrue(relativeError(f32.get(layer).a(), f64.get(layer).a()) < 1e-5);
            assertTrue(relativeError(f32.get(layer).b(), f64.get(layer).b()) < 1e-5);
        }
    }

    @Test
    void accumulateReturnsTheForwardOutputsOfItsBatch() {
        Network net = mlp(41);
        INDArray x = datum(42, 6);
        KfacEstimator est = new KfacEstimator(net, new CrossEntropy(), KfacOptions.builder()
                .curvatureType(CurvatureType.MC_FISHER).build());
        INDArray returned = est.accumulate(x, null);
        INDArray again = est.accumulate(x, null);
        INDArray expected = net.forward(x, Mode.EVAL);
        assertEquals(0.0, returned.sub(expected).norm2Number().doubleValue(), 1e-12);
        assertEquals(0.0, again.sub(expected).norm2Number().doubleValue(), 1e-12,
                "outputs of an earlier batch must survive later passes");
    }

    @Test
    void badInputGivesClearErrors() {
        Network net = mlp(35);
        KfacEstimator est = new KfacEstimator(net, new CrossEntropy(), KfacOptions.defaults());
        IllegalStateException before = assertThrows(IllegalStateException.class, est::factors);
        assertTrue(before.getMessage().contains("no data"), before.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> est.accumulate(Nd4j.zeros(DataType.DOUBLE, 2, 4), null));
        assertTrue(shape.getMessage().contains("features"), shape.getMessage());
        INDArray nan = datum(36, 2);
        nan.putScalar(1, 1, Double.NaN);
        IllegalArgumentException nanError = assertThrows(IllegalArgumentException.class,
                () -> est.accumulate(nan, null));
        assertTrue(nanError.getMessage().contains("NaN"), nanError.getMessage());
        KfacEstimator ef = new KfacEstimator(net, new CrossEntropy(),
                KfacOptions.builder().curvatureType(CurvatureType.EMPIRICAL_FISHER).build());
        assertThrows(IllegalArgumentException.class, () -> ef.accumulate(datum(37, 2), null));
        KfacEstimator shared = new KfacEstimator(net, new CrossEntropy(),
                KfacOptions.builder().sharedRowsPerExample(2).build());
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> shared.accumulate(datum(38, 3), null));
        assertTrue(rows.getMessage().contains("sharedRowsPerExample"), rows.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KfacOptions.builder().mcSamples(0).build());
        assertThrows(IllegalArgumentException.class, () -> KfacOptions.builder().sharedRowsPerExample(0).build());
        assertEquals(0, est.examplesSeen());
    }

    /** A float64 stride-2 3 x 3 convolution, rectifier, mean pooling and a linear classifier, from the seed. */
    private static Network strideTwoConvNet(long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Conv2d(2, 3, 3, 2, 1, true, init), new ReLU(),
                new TestModules.MeanPool(false), new Linear(3, 3, true, init)));
    }
}
