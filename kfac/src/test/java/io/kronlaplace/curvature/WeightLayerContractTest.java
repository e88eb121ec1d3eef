package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.linalg.CpuKernels;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.GradientCheck;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.PositionMatrices;
import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.SegmentLinear;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.nn.WeightLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The K-FAC view every weight layer states ({@link WeightLayer}, docs/layer-layouts.md), checked in float64 against
 * independent references for each layer kind and configuration in {@link #cases()}: gradients against central finite
 * differences; the positions view against the layer's own forward pass, its mean and its adjoint; the bounded chunks
 * against the whole view; and K-FAC exactness in the layer's own setting against the dense GGN from finite-difference
 * Jacobians. A new weight layer type is one more entry in {@link #cases()}.
 */
class WeightLayerContractTest {
    private static final long EXAMPLES = 2;
    /** The examples of the ragged cases: two of 4 and 2 rows (nodes of two graphs). */
    private static final RowSegments RAGGED = new RowSegments(new int[] {4, 2});

    /** Builds one layer of the kind under test mapping {@code in} to {@code out} features (channels). */
    @FunctionalInterface
    interface LayerFactory {
        Module create(long in, long out, boolean bias, Init init);
    }

    /** The input shape for {@code rows} rows with {@code features} features (channels) each. */
    @FunctionalInterface
    interface InputShape {
        long[] of(long rows, long features);
    }

    /**
     * One layer configuration.
     *
     * @param name        what the case is, for the test report
     * @param factory     builds the layer
     * @param bias        whether the layers have a bias
     * @param inputShape  input shape for a number of rows and features
     * @param sharedRows  consecutive input rows that form one example (K-FAC's sharedRowsPerExample)
     * @param positionwise whether a stack of these layers maps each position to the same position of the next layer
     *                    (then K-FAC is exact in every layer of a deep linear stack, else only in the last one)
     * @param meanPool    mean over the output positions of the layer, [rows, Dout]: the pooled (REDUCE) setting
     */
    record LayerCase(String name, LayerFactory factory, boolean bias, InputShape inputShape, int sharedRows,
                     boolean positionwise, Supplier<Module> meanPool) {
        WeightLayer layer(long in, long out, long seed) {
            return (WeightLayer) factory.create(in, out, bias, new Init(seed, DataType.DOUBLE,
                    Init.Scheme.XAVIER_NORMAL));
        }

        /** Input of {@code EXAMPLES * sharedRows} rows with {@code features} features, uniform in (-1, 1). */
        INDArray input(long features, long seed) {
            return GradientCheck.random(seed, inputShape.of(EXAMPLES * sharedRows, features));
        }

        @Override
        public String toString() {
            return name + (bias ? " with bias" : " without bias");
        }
    }

    static Stream<LayerCase> cases() {
        LayerFactory linear = (in, out, bias, init) -> new Linear(in, out, bias, init);
        InputShape rows = (n, d) -> new long[] {n, d};
        InputShape tokens = (n, d) -> new long[] {n, 4, d};
        Supplier<Module> poolTokens = () -> new TestModules.MeanPool(true);
        Supplier<Module> poolPixels = () -> new TestModules.MeanPool(false);
        List<LayerCase> out = new ArrayList<>();
        for (boolean bias : new boolean[] {true, false}) {
            out.add(new LayerCase("Linear N x D", linear, bias, rows, 1, true, null));
            out.add(new LayerCase("Linear N x R x D", linear, bias, tokens, 1, true, poolTokens));
            out.add(new LayerCase("Conv2d 3x3 stride 1 pad 1", (in, o, b, init) -> new Conv2d(in, o, 3, 1, 1, b, init),
                    bias, (n, c) -> new long[] {n, c, 4, 3}, 1, false, poolPixels));
            out.add(new LayerCase("Conv2d 3x3 stride 2 pad 1", (in, o, b, init) -> new Conv2d(in, o, 3, 2, 1, b, init),
                    bias, (n, c) -> new long[] {n, c, 11, 9}, 1, false, poolPixels));
        }
        out.add(new LayerCase("Linear N x R x D, 2 shared rows per example", linear, true, tokens, 2, true,
                poolTokens));
        out.add(new LayerCase("Conv2d patch embedding (kernel = stride = 2, no padding)",
                (in, o, b, init) -> new Conv2d(in, o, 2, 2, 0, b, init), true, (n, c) -> new long[] {n, c, 16, 8}, 1,
                false, poolPixels));
        LayerFactory segmentLinear = (in, o, b, init) -> new SegmentLinear(in, o, b, init, () -> RAGGED);
        InputShape raggedRows = (n, d) -> new long[] {RAGGED.rows(), d};
        for (boolean bias : new boolean[] {true, false}) {
            out.add(new LayerCase("SegmentLinear, ragged examples of 4 and 2 rows", segmentLinear, bias, raggedRows, 1,
                    true, () -> new TestModules.SegmentMeanPool(RAGGED)));
        }
        out.add(new LayerCase("Conv2d 1x1", (in, o, b, init) -> new Conv2d(in, o, 1, 1, 0, b, init), true,
                (n, c) -> new long[] {n, c, 4, 3}, 1, true, poolPixels));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 1);
        randomizeBias(layer);
        GradientCheck.check((Module) layer, c.input(3, 2), Mode.TRAIN, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aLayerThatPassesRowsIndependentlyGivesEachChunkItsRowsOfTheWholeBatch(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 2);
        randomizeBias(layer);
        INDArray x = c.input(3, 5);
        INDArray whole = ((Module) layer).forward(x, Mode.EVAL).dup();
        long split = x.size(0) / 2;
        if (!layer.rowsPassIndependently()) {
            // the segments describe the whole batch: a part of its rows does not fit them
            assertThrows(IllegalArgumentException.class,
                    () -> ((Module) layer).forward(Tensors.firstAxisRange(x, 0, split), Mode.EVAL));
            return;
        }
        for (long[] part : new long[][] {{0, split}, {split, x.size(0)}}) {
            INDArray chunk = ((Module) layer).forward(Tensors.firstAxisRange(x, part[0], part[1]), Mode.EVAL);
            assertTrue(relativeError(chunk, Tensors.firstAxisRange(whole, part[0], part[1])) < 1e-14,
                    c + ": rows " + part[0] + ".." + part[1]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void positionsReproduceTheForwardPass(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 3);
        randomizeBias(layer);
        INDArray x = c.input(3, 4);
        INDArray z = ((Module) layer).forward(x, Mode.EVAL);
        INDArray a = layer.inputPositions(x);
        long rows = x.size(0);
        long r = layer.positions(x);
        assertArrayEquals(new long[] {rows, r, layer.inFeatures()}, a.shape());
        PositionMatrices am = layer.inputMatrices(x);
        assertEquals(r, am.positions());
        assertEquals(layer.inFeatures(), am.features());
        assertTrue(GradientCheck.relativeError(am.positionsLast(), a) < 1e-15,
                "the positions in the layer's own orientation are the same positions");
        PositionMatrices zm = layer.outputMatrices(z);
        assertEquals(r, zm.positions());
        assertEquals(layer.outFeatures(), zm.features());
        INDArray zp = zm.positionsLast();
        assertEquals(z.length(), zp.length(), "the output positions cover every output entry once");
        assertEquals(z.norm2Number().doubleValue(), zp.norm2Number().doubleValue(), 1e-12);
        INDArray w = layer.weight().value().reshape(layer.outFeatures(), layer.inFeatures());
        for (long n = 0; n < rows; n++) {
            for (long p = 0; p < r; p++) {
                INDArray expected = w.mmul(a.slice(n).getRow(p).reshape(layer.inFeatures(), 1))
                        .reshape(layer.outFeatures());
                if (layer.bias() != null) {
                    expected.addi(layer.bias().value().reshape(layer.outFeatures()));
                }
                INDArray actual = zp.slice(n).getRow(p).reshape(layer.outFeatures());
                assertTrue(GradientCheck.relativeError(actual, expected) < 1e-12, "row " + n + " position " + p);
            }
        }
        assertTrue(GradientCheck.relativeError(zm.sumOverPositions(), zp.sum(1)) < 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void meanInputIsTheMeanOfThePositions(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 5);
        INDArray x = c.input(3, 6);
        assertTrue(GradientCheck.relativeError(layer.meanInput(x), layer.inputPositions(x).mean(1)) < 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void adjointIsTheTransposeOfThePositionsMap(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 7);
        INDArray x = c.input(3, 8);
        INDArray y = GradientCheck.random(9, layer.inputPositions(x).shape());
        INDArray adjoint = layer.inputPositionsAdjoint(y, x.shape());
        assertArrayEquals(x.shape(), adjoint.shape());
        double lhs = layer.inputPositions(x).mul(y).sumNumber().doubleValue();
        double rhs = x.mul(adjoint).sumNumber().doubleValue();
        assertEquals(lhs, rhs, 1e-12 * Math.max(1, Math.abs(lhs)));
        long[] wrong = x.shape().clone();
        wrong[0]++;
        assertThrows(IllegalArgumentException.class, () -> layer.inputPositionsAdjoint(y, wrong));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chunksOfBoundedSizeMakeUpThePositions(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 10);
        INDArray x = c.input(3, 11);
        INDArray whole = layer.inputPositions(x);
        long perRow = whole.size(1) * whole.size(2);
        List<INDArray> chunks = new ArrayList<>();
        layer.forEachInputChunk(x, perRow, chunk -> {
            assertEquals(whole.size(1), chunk.positions());
            assertEquals(layer.inFeatures(), chunk.features());
            chunks.add(chunk.positionsLast().dup());
        });
        assertTrue(chunks.size() == 1 || chunks.stream().allMatch(chunk -> chunk.length() <= perRow),
                "a chunk is either the whole (unmaterialised) view or within the bound");
        assertTrue(GradientCheck.relativeError(Nd4j.concat(0, chunks.toArray(INDArray[]::new)), whole) < 1e-15);
        assertThrows(IllegalArgumentException.class, () -> layer.forEachInputChunk(x, 0, chunk -> { }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anInputGramOfItsOwnEqualsTheGramOfThePositions(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 10);
        INDArray x = c.input(3, 11);
        INDArray positions = layer.inputPositions(x);
        INDArray rows = positions.reshape(positions.size(0) * positions.size(1), positions.size(2));
        long d = layer.inFeatures();
        INDArray target = Nd4j.valueArrayOf(new long[] {d, d}, Double.NaN, DataType.DOUBLE);
        AtomicBoolean asked = new AtomicBoolean();
        Supplier<INDArray> supplier = () -> {
            asked.set(true);
            return target;
        };
        if (layer.inputGram(x, 1, supplier, new CpuKernels())) {
            assertTrue(relativeError(target, rows.transpose().mmul(rows)) < 1e-13);
        } else {
            assertFalse(asked.get(), "a layer without a Gram of its own does not ask for the target array");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputNamesTheLayer(LayerCase c) {
        WeightLayer layer = c.layer(3, 4, 12);
        new Network(new Sequential((Module) layer));
        INDArray wrongFeatures = c.input(5, 13);
        for (Runnable call : List.<Runnable>of(() -> layer.positions(wrongFeatures),
                () -> layer.inputPositions(wrongFeatures), () -> layer.inputMatrices(wrongFeatures),
                () -> layer.meanInput(wrongFeatures),
                () -> layer.forEachInputChunk(wrongFeatures, 1 << 20, chunk -> { }),
                () -> layer.outputMatrices(wrongFeatures))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().contains(layer.getClass().getSimpleName() + " '" + layer.path() + "'"),
                    e.getMessage());
        }
    }

    /**
     * In a deep linear stack of the layer, K-FAC is exact with MSE on every output position for EXPAND and with MSE on
     * the mean over positions (and over each example's shared rows) for REDUCE, in every layer when the stack is
     * position-wise and in the last layer otherwise; with more than one position the other flavour is measurably
     * wrong, and REDUCE is wrong when it ignores the shared rows.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kfacIsExactInTheLayersOwnSetting(LayerCase c) {
        List<Boolean> settings = c.sharedRows() > 1 ? List.of(true)
                : c.meanPool() == null ? List.of(false) : List.of(false, true);
        for (boolean pooled : settings) {
            List<WeightLayer> layers = List.of(c.layer(2, 4, 14), c.layer(4, 3, 15), c.layer(3, 2, 16));
            Sequential stack = new Sequential();
            layers.forEach(l -> stack.add((Module) l));
            stack.add(pooled ? c.meanPool().get() : new TestModules.FlattenAll());
            Network net = new Network(stack);
            INDArray x = c.input(2, 17);
            long[] positions = positionsPerLayer(layers, x);
            List<WeightLayer> checked = c.positionwise() ? layers : List.of(layers.get(layers.size() - 1));
            INDArray ggn = DenseReference.ggn(net, x, c.sharedRows(), DenseReference::mseHessian);
            KfacFlavour exact = pooled ? KfacFlavour.REDUCE : KfacFlavour.EXPAND;
            KfacFlavour other = pooled ? KfacFlavour.EXPAND : KfacFlavour.REDUCE;
            Map<String, KronFactors> good = factors(net, x, exact, c.sharedRows());
            Map<String, KronFactors> bad = factors(net, x, other, c.sharedRows());
            for (WeightLayer layer : checked) {
                String where = exact + " pooled=" + pooled + " layer " + layer.path();
                double e = layerError(net, good, ggn, layer);
                assertTrue(e < 1e-7, where + ": " + e);
                double o = layerError(net, bad, ggn, layer);
                if (positions[layers.indexOf(layer)] == 1) {
                    assertTrue(o < 1e-7, other + " with one position must also be exact: " + o);
                } else {
                    assertTrue(o > 1e-2, other + " must not be exact in this setting, layer " + layer.path() + ": "
                            + o);
                }
                if (c.sharedRows() > 1) {
                    double u = layerError(net, factors(net, x, exact, 1), ggn, layer);
                    assertTrue(u > 1e-2, "ignoring the shared rows must not match, layer " + layer.path() + ": " + u);
                }
            }
        }
    }

    private static long[] positionsPerLayer(List<WeightLayer> layers, INDArray x) {
        long[] out = new long[layers.size()];
        INDArray h = x;
        for (int i = 0; i < out.length; i++) {
            out[i] = layers.get(i).positions(h);
            INDArray next = ((Module) layers.get(i)).forward(h, Mode.EVAL);
            RowSegments segments = layers.get(i).rowSegments(h);
            if (segments != null) {
                // a ragged example spans several rows, each with its positions
                int longest = 0;
                for (int s = 0; s < segments.count(); s++) {
                    longest = Math.max(longest, segments.length(s));
                }
                out[i] *= longest;
            }
            h = next;
        }
        return out;
    }

    private static Map<String, KronFactors> factors(Network net, INDArray x, KfacFlavour flavour, int sharedRows) {
        KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0),
                KfacOptions.builder().flavour(flavour).sharedRowsPerExample(sharedRows).build());
        est.accumulate(x, null);
        assertEquals(x.size(0) / sharedRows, est.examplesSeen());
        return est.factors();
    }

    /**
     * The largest relative error of the layer's weight block (the Kronecker product of its factors, and as
     * {@link KronCurvature} assembles it) and bias block against the dense GGN.
     */
    static double layerError(Network net, Map<String, KronFactors> factors, INDArray ggn, WeightLayer layer) {
        KronFactors f = factors.get(layer.path());
        double worst = relativeError(DenseReference.kron(f.b(), f.a()),
                DenseReference.block(net, ggn, layer.path() + ".weight"));
        int blocks = 0;
        for (CurvatureBlock block : KronCurvature.blocks(net, factors)) {
            if (block.name().startsWith(layer.path() + ".")) {
                worst = Math.max(worst, relativeError(block.dense(), DenseReference.block(net, ggn, block.name())));
                blocks++;
            }
        }
        assertEquals(layer.bias() == null ? 1 : 2, blocks, "blocks of layer " + layer.path());
        return worst;
    }

    private static void randomizeBias(WeightLayer layer) {
        if (layer.bias() != null) {
            layer.bias().value().assign(GradientCheck.random(19, layer.bias().value().shape()));
        }
    }
}
