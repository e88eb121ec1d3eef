package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kronlaplace.linalg.CpuKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Conv2dTest {
    private static final Init INIT = new Init(5, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);

    /** Direct summation over the definition of a zero-padded strided convolution. */
    private static INDArray naiveConv(INDArray x, INDArray w, INDArray b, int s, int p) {
        long n = x.size(0);
        long cin = x.size(1);
        long h = x.size(2);
        long wd = x.size(3);
        long cout = w.size(0);
        int k = (int) w.size(2);
        long oh = (h + 2 * p - k) / s + 1;
        long ow = (wd + 2 * p - k) / s + 1;
        INDArray z = Nd4j.zeros(DataType.DOUBLE, n, cout, oh, ow);
        for (long a = 0; a < n; a++) {
            for (long o = 0; o < cout; o++) {
                for (long i = 0; i < oh; i++) {
                    for (long j = 0; j < ow; j++) {
                        double sum = b == null ? 0 : b.getDouble(o);
                        for (long c = 0; c < cin; c++) {
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    long r = i * s - p + u;
                                    long q = j * s - p + v;
                                    if (r >= 0 && r < h && q >= 0 && q < wd) {
                                        sum += w.getDouble(o, c, u, v) * x.getDouble(a, c, r, q);
                                    }
                                }
                            }
                        }
                        z.putScalar(new long[] {a, o, i, j}, sum);
                    }
                }
            }
        }
        return z;
    }

    @Test
    void forwardMatchesNaiveLoops() {
        int[][] configs = {{3, 1, 1}, {3, 2, 1}, {1, 1, 0}, {1, 2, 0}, {3, 2, 0}, {2, 1, 0}};
        for (int[] cfg : configs) {
            Conv2d conv = new Conv2d(3, 4, cfg[0], cfg[1], cfg[2], true, INIT);
            conv.bias().value().assign(GradientCheck.random(3, 4));
            INDArray x = GradientCheck.random(1, 2, 3, 7, 6);
            INDArray expected = naiveConv(x, conv.weight().value(), conv.bias().value(), cfg[1], cfg[2]);
            INDArray z = conv.forward(x, Mode.TRAIN);
            assertArrayEquals(expected.shape(), z.shape());
            assertArrayEquals(conv.outputSize(7, 6), new long[] {z.size(2), z.size(3)});
            assertTrue(GradientCheck.relativeError(z, expected) < 1e-12, "config " + java.util.Arrays.toString(cfg));
        }
    }

    @Test
    void forwardWithoutBiasMatchesNaiveLoops() {
        Conv2d conv = new Conv2d(2, 3, 3, 2, 1, false, INIT);
        INDArray x = GradientCheck.random(2, 2, 2, 8, 8);
        INDArray expected = naiveConv(x, conv.weight().value(), null, 2, 1);
        assertTrue(GradientCheck.relativeError(conv.forward(x, Mode.EVAL), expected) < 1e-12);
    }

    @Test
    void float32ForwardAgreesWithFloat64() {
        Conv2d conv = new Conv2d(3, 5, 3, 1, 1, true, INIT);
        INDArray x = GradientCheck.random(4, 2, 3, 8, 8);
        INDArray z64 = conv.forward(x, Mode.TRAIN);
        conv.castTo(DataType.FLOAT);
        INDArray z32 = conv.forward(x.castTo(DataType.FLOAT), Mode.TRAIN);
        assertEquals(DataType.FLOAT, z32.dataType());
        assertTrue(GradientCheck.relativeError(z32.castTo(DataType.DOUBLE), z64) < 1e-5);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.check(new Conv2d(2, 3, 3, 1, 1, true, INIT), GradientCheck.random(6, 2, 2, 5, 5),
                Mode.TRAIN, 1e-6);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithStrideTwoAndPadding() {
        GradientCheck.check(new Conv2d(2, 3, 3, 2, 1, true, INIT), GradientCheck.random(7, 2, 2, 6, 6),
                Mode.TRAIN, 1e-6);
        GradientCheck.check(new Conv2d(2, 2, 3, 2, 1, false, INIT), GradientCheck.random(8, 2, 2, 7, 5),
                Mode.TRAIN, 1e-6);
        GradientCheck.check(new Conv2d(3, 2, 1, 2, 0, false, INIT), GradientCheck.random(9, 2, 3, 6, 6),
                Mode.TRAIN, 1e-6);
    }

    @ParameterizedTest
    @CsvSource({"3,2,1,7,6", "3,1,1,5,5", "1,2,0,6,5", "2,3,1,8,7"})
    void inputPositionsAdjointIsTheTransposeOfTheUnfolding(int k, int stride, int pad, int h, int w) {
        Conv2d conv = new Conv2d(2, 3, k, stride, pad, false, INIT);
        INDArray x = GradientCheck.random(11, 2, 2, h, w);
        INDArray values = GradientCheck.random(12, conv.inputPositions(x).shape());
        double lhs = conv.inputPositions(x).mul(values).sumNumber().doubleValue();
        double rhs = x.mul(conv.inputPositionsAdjoint(values, x.shape())).sumNumber().doubleValue();
        assertEquals(lhs, rhs, 1e-12 * Math.max(1, Math.abs(lhs)));
        assertThrows(IllegalArgumentException.class,
                () -> conv.inputPositionsAdjoint(values, new long[] {2, 2, h + 3, w}));
    }

    /** Kernels, strides and paddings that take every branch of the box sums (direct, residue totals, empty). */
    @ParameterizedTest
    @CsvSource({"3,1,1,5,6", "3,2,1,7,5", "3,2,0,8,7", "1,2,0,5,5", "5,1,2,4,4", "3,4,2,1,1", "2,3,1,6,4",
        "5,1,2,2,3", "1,1,0,3,4", "4,1,1,5,3", "3,1,1,16,12", "5,2,2,11,9", "3,3,1,13,10", "7,2,3,12,12",
        "1,1,0,9,9", "1,2,0,10,7"})
    void meanInputEqualsTheMeanOfTheUnfoldedPatches(int k, int stride, int pad, int h, int w) {
        Conv2d conv = new Conv2d(3, 2, k, stride, pad, false,
                new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL));
        Nd4j.getRandom().setSeed(k * 100 + stride * 10 + pad);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, h, w);
        INDArray expected = conv.inputPositions(x).mean(1);
        INDArray actual = conv.meanInput(x);
        assertEquals(2, actual.rank());
        assertTrue(GradientCheck.relativeError(actual, expected) < 1e-12, "k=" + k + " s=" + stride + " p=" + pad
                + ": " + actual + " vs " + expected);
    }

    @ParameterizedTest
    @CsvSource({"2", "1"})
    void meanInputWorksInFloat32(int stride) {
        Conv2d conv = new Conv2d(2, 2, 3, stride, 1, false, Init.kaiming(3));
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 2, 6, 5);
        INDArray expected = conv.inputPositions(x).mean(1);
        INDArray actual = conv.meanInput(x);
        assertEquals(DataType.FLOAT, actual.dataType());
        assertTrue(GradientCheck.relativeError(actual.castTo(DataType.DOUBLE), expected.castTo(DataType.DOUBLE))
                < 1e-6);
    }

    /**
     * Kernels 2 to 5 with every padding from none to more than the kernel, images down to one pixel (where outer
     * kernel offsets read only padding), one example at a time (maxElements 1) and the whole batch at once: the Gram
     * written without unfolding equals P^T P of the unfolded patches P, in every entry.
     */
    @ParameterizedTest
    @CsvSource({"3,1,5,6,1", "3,1,5,6,1000000", "3,0,6,5,1", "3,0,6,5,1000000", "5,2,4,4,1",
        "5,2,7,6,1000000", "3,2,5,3,1", "2,0,6,4,1000000", "5,1,7,6,1", "4,3,3,5,1000000", "3,1,1,1,1000000",
        "5,0,5,5,1", "2,1,1,2,1", "3,1,16,12,1000000", "4,2,9,7,1", "2,3,3,4,1", "5,2,1,1,1", "5,2,1,2,1000000",
        "5,2,2,1,1"})
    void inputGramEqualsTheGramOfTheUnfoldedPatches(int k, int pad, int h, int w, long maxElements) {
        Conv2d conv = new Conv2d(3, 2, k, 1, pad, false, new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL));
        Nd4j.getRandom().setSeed(k * 100 + pad * 10 + h);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 3, h, w);
        INDArray patches = conv.inputPositions(x).reshape(-1, conv.inFeatures());
        INDArray expected = patches.transpose().mmul(patches);
        INDArray target = Nd4j.valueArrayOf(new long[] {conv.inFeatures(), conv.inFeatures()}, Double.NaN,
                DataType.DOUBLE);
        assertTrue(conv.inputGram(x, maxElements, () -> target, new CpuKernels()));
        assertTrue(GradientCheck.relativeError(target, expected) < 1e-13, "k=" + k + " p=" + pad + " " + h + "x" + w
                + ": " + GradientCheck.relativeError(target, expected));
    }

    @Test
    void inputGramWorksInFloat32() {
        Conv2d conv = new Conv2d(4, 2, 3, 1, 1, false, Init.kaiming(3));
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 4, 9, 8);
        INDArray patches = conv.inputPositions(x).castTo(DataType.DOUBLE).reshape(-1, conv.inFeatures());
        INDArray expected = patches.transpose().mmul(patches);
        INDArray target = Nd4j.create(DataType.FLOAT, conv.inFeatures(), conv.inFeatures());
        assertTrue(conv.inputGram(x, 1L << 20, () -> target, new CpuKernels()));
        assertTrue(GradientCheck.relativeError(target.castTo(DataType.DOUBLE), expected) < 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"3,2,1", "1,1,0", "1,2,0"})
    void stridedAndPointwiseConvolutionsLeaveTheInputGramToTheUnfolding(int k, int stride, int pad) {
        Conv2d conv = new Conv2d(2, 3, k, stride, pad, false, INIT);
        assertFalse(conv.inputGram(GradientCheck.random(3, 2, 2, 7, 6), 1 << 20,
                () -> fail("the target array is asked for although the layer unfolds"), new CpuKernels()));
    }

    @Test
    void inputGramRejectsABadTargetOrBound() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, false, INIT);
        INDArray x = GradientCheck.random(3, 2, 2, 5, 5);
        CpuKernels kernels = new CpuKernels();
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> conv.inputGram(x, 1 << 20, () -> Nd4j.create(DataType.DOUBLE, 17, 17), kernels));
        assertTrue(size.getMessage().contains("18 x 18"), size.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> conv.inputGram(x, 1 << 20, () -> Nd4j.create(DataType.FLOAT, 18, 18), kernels));
        assertTrue(type.getMessage().contains("FLOAT"), type.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> conv.inputGram(x, 0, () -> Nd4j.create(DataType.DOUBLE, 18, 18), kernels));
        assertThrows(IllegalArgumentException.class, () -> conv.inputGram(GradientCheck.random(3, 2, 3, 5, 5), 1 << 20,
                () -> Nd4j.create(DataType.DOUBLE, 18, 18), kernels));
    }

    @Test
    void inputPositionsMatchNaiveUnfoldingAndReproduceTheConvolution() {
        Conv2d conv = new Conv2d(2, 3, 3, 2, 1, true, INIT);
        conv.bias().value().assign(GradientCheck.random(4, 3));
        INDArray x = GradientCheck.random(10, 2, 2, 7, 6);
        INDArray patches = conv.inputPositions(x);
        long[] hw = conv.outputSize(7, 6);
        assertArrayEquals(new long[] {2, hw[0] * hw[1], 18}, patches.shape());
        for (long n = 0; n < 2; n++) {
            for (long oh = 0; oh < hw[0]; oh++) {
                for (long ow = 0; ow < hw[1]; ow++) {
                    for (long c = 0; c < 2; c++) {
                        for (int u = 0; u < 3; u++) {
                            for (int v = 0; v < 3; v++) {
                                long r = oh * 2 - 1 + u;
                                long q = ow * 2 - 1 + v;
                                double expected = r >= 0 && r < 7 && q >= 0 && q < 6 ? x.getDouble(n, c, r, q) : 0;
                                assertEquals(expected, patches.getDouble(n, oh * hw[1] + ow, c * 9 + u * 3 + v), 0);
                            }
                        }
                    }
                }
            }
        }
        INDArray wmat = conv.weight().value().reshape(3, 18);
        INDArray z = conv.forward(x, Mode.EVAL);
        for (long n = 0; n < 2; n++) {
            INDArray viaPatches = patches.slice(n).mmul(wmat.transpose()).addRowVector(conv.bias().value());
            INDArray direct = z.slice(n).reshape(3, hw[0] * hw[1]).transpose();
            assertTrue(GradientCheck.relativeError(viaPatches, direct) < 1e-12);
        }
    }

    @Test
    void copiesBackwardEqualsSeparateBackwardPasses() {
        GradientCheck.checkCopies(new Conv2d(2, 3, 3, 2, 1, true, INIT), GradientCheck.random(11, 3, 2, 6, 6),
                Mode.TRAIN, 3, 1e-12);
        GradientCheck.checkCopies(new Conv2d(2, 3, 3, 1, 1, false, INIT), GradientCheck.random(12, 2, 2, 5, 5),
                Mode.EVAL, 2, 1e-12);
    }

    @Test
    void inputOnlyBackwardEqualsTrainingBackwardForEveryStrideRemainder() {
        int[][] configs = {{3, 2, 1, 7, 7}, {3, 2, 1, 6, 6}, {3, 2, 1, 6, 7}, {1, 2, 0, 6, 6}, {3, 3, 0, 8, 7},
            {2, 2, 0, 5, 6}, {3, 1, 1, 5, 5}, {3, 1, 0, 6, 5}, {5, 1, 2, 7, 6}, {1, 1, 0, 4, 4}, {2, 1, 1, 5, 4},
            {3, 1, 2, 5, 5}, {1, 1, 1, 4, 4}};
        for (int[] cfg : configs) {
            for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                Conv2d conv = new Conv2d(2, 3, cfg[0], cfg[1], cfg[2], true, INIT);
                conv.castTo(type);
                INDArray x = GradientCheck.random(13, 2, 2, cfg[3], cfg[4]).castTo(type);
                INDArray g = GradientCheck.random(14, conv.forward(x, Mode.TRAIN).shape()).castTo(type);
                INDArray training = conv.backward(g, BackwardContext.training());
                INDArray inputOnly = conv.backward(g, BackwardContext.curvature(1, null));
                double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
                assertTrue(GradientCheck.relativeError(inputOnly.castTo(DataType.DOUBLE),
                        training.castTo(DataType.DOUBLE)) < tolerance, java.util.Arrays.toString(cfg) + " " + type);
            }
        }
    }

    @Test
    void tapSeesCachedInputAndOutputGradient() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, true, INIT);
        INDArray x = GradientCheck.random(15, 2, 2, 4, 4);
        INDArray g = GradientCheck.random(16, 4, 3, 4, 4);
        conv.forward(x, Mode.TRAIN);
        int[] calls = {0};
        conv.backward(g, BackwardContext.curvature(2, (layer, in, out, k) -> {
            assertTrue(layer == conv);
            assertTrue(in.equals(x));
            assertTrue(out.equals(g));
            assertEquals(2, k);
            calls[0]++;
        }));
        assertEquals(1, calls[0]);
    }

    @Test
    void rejectsBadInputsWithClearMessages() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 0, true, INIT);
        assertEquals(18, conv.inFeatures());
        assertEquals(3, conv.outFeatures());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(Nd4j.zeros(DataType.DOUBLE, 1, 3, 5, 5), Mode.TRAIN));
        assertTrue(channels.getMessage().contains("channels"), channels.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> conv.forward(Nd4j.zeros(DataType.DOUBLE, 2, 5, 5), Mode.TRAIN));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(Nd4j.zeros(DataType.DOUBLE, 1, 2, 2, 5), Mode.TRAIN));
        assertTrue(small.getMessage().contains("smaller than"), small.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(Nd4j.zeros(DataType.FLOAT, 1, 2, 5, 5), Mode.TRAIN));
        assertTrue(type.getMessage().contains("FLOAT"), type.getMessage());
        assertThrows(IllegalStateException.class,
                () -> new Conv2d(2, 3, 3, 1, 0, true, INIT).backward(Nd4j.zeros(DataType.DOUBLE, 1, 3, 3, 3),
                        BackwardContext.training()));
        conv.forward(Nd4j.zeros(DataType.DOUBLE, 1, 2, 5, 5), Mode.TRAIN);
        IllegalArgumentException grad = assertThrows(IllegalArgumentException.class,
                () -> conv.backward(Nd4j.zeros(DataType.DOUBLE, 1, 3, 4, 4), BackwardContext.training()));
        assertTrue(grad.getMessage().contains("output gradient"), grad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 3, 3, 1, 0, true, INIT));
    }
}
