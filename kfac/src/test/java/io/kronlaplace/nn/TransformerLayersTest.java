package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.models.VisionTransformer;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transformer modules in float64: forward passes against formulas written out element by element, backward passes
 * (input and parameter gradients) and forward-mode derivatives against central finite differences, k copies through
 * one backward pass against k passes, and float32 against float64.
 */
class TransformerLayersTest {
    private static final double TOLERANCE = 1e-6;

    private static Init init(long seed) {
        return new Init(seed, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
    }

    /** Every module under test with an input, parameters moved off their initial values. */
    private record Case(String name, Supplier<Module> module, long[] inputShape) {
        Module create() {
            Module m = module.get();
            new Network(new Sequential(m));
            long seed = 40;
            for (Parameter p : m.namedParameters().values()) {
                p.value().addi(GradientCheck.random(seed++, p.value().shape()).muli(0.3));
            }
            return m;
        }

        INDArray input() {
            return GradientCheck.random(41, inputShape).muli(1.5);
        }
    }

    private static List<Case> cases() {
        return List.of(
                new Case("LayerNorm tokens", () -> new LayerNorm(5, DataType.DOUBLE), new long[] {3, 4, 5}),
                new Case("LayerNorm rows", () -> new LayerNorm(5, DataType.DOUBLE), new long[] {3, 5}),
                new Case("Gelu", Gelu::new, new long[] {3, 4, 5}),
                new Case("ClassToken", () -> new ClassToken(5, init(1)), new long[] {3, 4, 5}),
                new Case("PositionalEmbedding", () -> new PositionalEmbedding(4, 5, init(2)), new long[] {3, 4, 5}),
                new Case("TokenPool class token", () -> new TokenPool(TokenPool.Kind.CLASS_TOKEN),
                        new long[] {3, 4, 5}),
                new Case("TokenPool mean", () -> new TokenPool(TokenPool.Kind.MEAN), new long[] {3, 4, 5}),
                new Case("MeanOverPositions tokens", MeanOverPositions::new, new long[] {3, 4, 5}),
                new Case("MeanOverPositions images", MeanOverPositions::new, new long[] {3, 4, 2, 3}),
                new Case("PatchEmbedding", () -> new PatchEmbedding(2, 5, 2, init(3)), new long[] {3, 2, 4, 6}),
                new Case("MultiHeadSelfAttention", () -> new MultiHeadSelfAttention(6, 2, init(4)),
                        new long[] {3, 4, 6}));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (Case c : cases()) {
            Module m = c.create();
            try {
                GradientCheck.check(m, c.input(), Mode.TRAIN, TOLERANCE);
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void copiesThroughOneBackwardPassEqualSeparatePasses() {
        for (Case c : cases()) {
            try {
                GradientCheck.checkCopies(c.create(), c.input(), Mode.TRAIN, 3, 1e-12);
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void float32AgreesWithFloat64() {
        for (Case c : cases()) {
            try {
                GradientCheck.checkFloat32Agrees(c.create(), c.input(), Mode.TRAIN);
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void forwardModeDerivativesMatchCentralDifferences() {
        double h = 1e-6;
        for (Case c : cases()) {
            Module m = c.create();
            INDArray x = c.input();
            INDArray dx = GradientCheck.random(43, x.shape());
            INDArray plus = m.forward(x.add(dx.mul(h)), Mode.EVAL).dup();
            INDArray minus = m.forward(x.sub(dx.mul(h)), Mode.EVAL).dup();
            m.forward(x, Mode.EVAL);
            INDArray numeric = plus.subi(minus).divi(2 * h);
            double error = GradientCheck.relativeError(m.jvp(dx, null), numeric);
            assertTrue(error < TOLERANCE, c.name() + ": jvp relative error " + error);
        }
    }

    @Test
    void layerNormStandardisesEveryTokenThenScalesAndShifts() {
        LayerNorm norm = new LayerNorm(4, 1e-5, DataType.DOUBLE);
        norm.scale().value().assign(Nd4j.createFromArray(1.0, 2.0, -1.0, 0.5));
        norm.shift().value().assign(Nd4j.createFromArray(0.1, 0.0, 0.3, -0.2));
        INDArray x = GradientCheck.random(5, 2, 3, 4);
        INDArray y = norm.forward(x, Mode.EVAL);
        for (int n = 0; n < 2; n++) {
            for (int t = 0; t < 3; t++) {
                double mean = 0;
                for (int d = 0; d < 4; d++) {
                    mean += x.getDouble(n, t, d) / 4;
                }
                double var = 0;
                for (int d = 0; d < 4; d++) {
                    var += Math.pow(x.getDouble(n, t, d) - mean, 2) / 4;
                }
                for (int d = 0; d < 4; d++) {
                    double expected = (x.getDouble(n, t, d) - mean) / Math.sqrt(var + 1e-5)
                            * norm.scale().value().getDouble(d) + norm.shift().value().getDouble(d);
                    assertEquals(expected, y.getDouble(n, t, d), 1e-12);
                }
            }
        }
    }

    @Test
    void geluIsTheTanhForm() {
        double[] xs = {-3, -0.5, 0, 0.7, 2.5};
        INDArray y = new Gelu().forward(Nd4j.createFromArray(new double[][] {xs}), Mode.EVAL);
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            double expected = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertEquals(expected, y.getDouble(0, i), 1e-14);
        }
    }

    /** Attention written out with loops over examples, heads, queries and keys. */
    @Test
    void attentionMatchesAnExplicitPerHeadComputation() {
        assertTrue(new MultiHeadSelfAttention(6, 2, init(6)).namedParameters().keySet().stream()
                .noneMatch("key.bias"::equals), "the key projection has no bias");
        int d = 6;
        int heads = 2;
        int dh = d / heads;
        MultiHeadSelfAttention attention = (MultiHeadSelfAttention) new Case("attention",
                () -> new MultiHeadSelfAttention(d, heads, init(6)), new long[] {2, 3, d}).create();
        INDArray x = GradientCheck.random(7, 2, 3, d);
        INDArray y = attention.forward(x, Mode.EVAL);
        var p = attention.namedParameters();
        INDArray q = project(x, p.get("query.weight").value(), p.get("query.bias").value());
        INDArray k = project(x, p.get("key.weight").value(), Nd4j.zeros(DataType.DOUBLE, d));
        INDArray v = project(x, p.get("value.weight").value(), p.get("value.bias").value());
        INDArray concat = Nd4j.zeros(DataType.DOUBLE, 2, 3, d);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < 3; i++) {
                    double[] weights = new double[3];
                    double total = 0;
                    for (int j = 0; j < 3; j++) {
                        double s = 0;
                        for (int e = 0; e < dh; e++) {
                            s += q.getDouble(n, i, h * dh + e) * k.getDouble(n, j, h * dh + e);
                        }
                        weights[j] = Math.exp(s / Math.sqrt(dh));
                        total += weights[j];
                    }
                    for (int e = 0; e < dh; e++) {
                        double o = 0;
                        for (int j = 0; j < 3; j++) {
                            o += weights[j] / total * v.getDouble(n, j, h * dh + e);
                        }
                        concat.putScalar(new long[] {n, i, h * dh + e}, o);
                    }
                }
            }
        }
        INDArray expected = project(concat, p.get("output.weight").value(), p.get("output.bias").value());
        assertTrue(GradientCheck.relativeError(y, expected) < 1e-13);
    }

    private static INDArray project(INDArray x, INDArray w, INDArray b) {
        INDArray out = Nd4j.zeros(DataType.DOUBLE, x.size(0), x.size(1), w.size(0));
        for (int n = 0; n < x.size(0); n++) {
            for (int t = 0; t < x.size(1); t++) {
                for (int o = 0; o < w.size(0); o++) {
                    double s = b.getDouble(o);
                    for (int i = 0; i < w.size(1); i++) {
                        s += w.getDouble(o, i) * x.getDouble(n, t, i);
                    }
                    out.putScalar(new long[] {n, t, o}, s);
                }
            }
        }
        return out;
    }

    @Test
    void patchEmbeddingTokensAreProjectedPatchesInRowMajorOrder() {
        PatchEmbedding embed = new PatchEmbedding(2, 3, 2, init(8));
        embed.projection().bias().value().assign(GradientCheck.random(9, 3));
        INDArray x = GradientCheck.random(10, 1, 2, 4, 6);
        INDArray y = embed.forward(x, Mode.EVAL);
        assertEquals(List.of(1L, 6L, 3L), List.of(y.size(0), y.size(1), y.size(2)));
        INDArray w = embed.projection().weight().value();
        for (int ph = 0; ph < 2; ph++) {
            for (int pw = 0; pw < 3; pw++) {
                for (int o = 0; o < 3; o++) {
                    double s = embed.projection().bias().value().getDouble(o);
                    for (int c = 0; c < 2; c++) {
                        for (int i = 0; i < 2; i++) {
                            for (int j = 0; j < 2; j++) {
                                s += w.getDouble(o, c, i, j) * x.getDouble(0, c, 2 * ph + i, 2 * pw + j);
                            }
                        }
                    }
                    assertEquals(s, y.getDouble(0, ph * 3 + pw, o), 1e-13);
                }
            }
        }
    }

    @Test
    void wholeVisionTransformerGradientsMatchFiniteDifferences() {
        for (TokenPool.Kind pooling : TokenPool.Kind.values()) {
            Network net = VisionTransformer.builder().imageSize(4).inputChannels(2).patchSize(2).width(4).depth(1)
                    .heads(2).mlpRatio(2).classes(3).pooling(pooling).seed(5).dataType(DataType.DOUBLE).build();
            GradientCheck.checkSampled(net.root(), GradientCheck.random(11, 2, 2, 4, 4), Mode.TRAIN, 12, TOLERANCE);
            GradientCheck.checkCopies(net.root(), GradientCheck.random(12, 2, 2, 4, 4), Mode.TRAIN, 2, 1e-12);
        }
    }

    @Test
    void badInputsAreNamed() {
        Network net = VisionTransformer.builder().imageSize(4).inputChannels(2).patchSize(2).width(4).depth(1)
                .heads(2).dataType(DataType.DOUBLE).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(GradientCheck.random(1, 2, 2, 5, 4), Mode.EVAL));
        assertTrue(e.getMessage().contains("PatchEmbedding 'patch'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> net.forward(GradientCheck.random(1, 2, 3, 4, 4), Mode.EVAL));
        assertThrows(IllegalArgumentException.class, () -> new MultiHeadSelfAttention(6, 4, init(1)));
        assertThrows(IllegalArgumentException.class, () -> VisionTransformer.builder().imageSize(6).patchSize(4)
                .architecture());
        assertThrows(IllegalArgumentException.class, () -> VisionTransformer.builder().width(6).heads(4)
                .architecture());
        LayerNorm norm = new LayerNorm(4, DataType.DOUBLE);
        e = assertThrows(IllegalArgumentException.class,
                () -> norm.forward(GradientCheck.random(1, 2, 3, 5), Mode.EVAL));
        assertTrue(e.getMessage().contains("LayerNorm"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new LayerNorm(4, DataType.DOUBLE)
                .backward(Nd4j.zeros(DataType.DOUBLE, 2, 4), BackwardContext.training()));
    }

    @Test
    void meanOverPositionsAveragesAxisOneEntryByEntry() {
        INDArray x = GradientCheck.random(7, 2, 3, 4);
        INDArray y = new MeanOverPositions().forward(x, Mode.EVAL);
        assertArrayEquals(new long[] {2, 4}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int d = 0; d < 4; d++) {
                double mean = (x.getDouble(n, 0, d) + x.getDouble(n, 1, d) + x.getDouble(n, 2, d)) / 3;
                assertEquals(mean, y.getDouble(n, d), 1e-15);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new MeanOverPositions().forward(Nd4j.ones(2, 3),
                Mode.EVAL));
    }
}
