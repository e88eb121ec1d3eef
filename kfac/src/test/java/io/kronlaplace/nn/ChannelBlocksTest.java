package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Channel-blocked feature maps: the layout's index map against plain loops, and every layer that takes such maps
 * against the same layer on NCHW maps (forward, backward with one and with two output gradients per example, the
 * curvature tap's view, forward-mode derivatives).
 */
class ChannelBlocksTest {
    private static INDArray random(long seed, long... shape) {
        return GradientCheck.random(seed, shape).castTo(DataType.FLOAT);
    }

    @Test
    void channelCIsLaneCMod16OfBlockCDiv16() {
        INDArray x = random(1, 2, 32, 3, 5);
        INDArray b = ChannelBlocks.block(x);
        assertArrayEquals(new long[] {2, 2, 3, 5, 16}, b.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 32; c++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 5; w++) {
                        assertEquals(x.getFloat(n, c, h, w), b.getFloat(n, c / 16, h, w, c % 16));
                    }
                }
            }
        }
        assertEquals(x, ChannelBlocks.unblock(b));
        assertArrayEquals(new long[] {2, 32, 3, 5}, ChannelBlocks.logicalShape(b));
        assertEquals(32, ChannelBlocks.channels(b));
        // a view (every other example) is read through its own strides
        INDArray view = random(2, 4, 16, 2, 2).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 4));
        assertEquals(view, ChannelBlocks.unblock(ChannelBlocks.block(view)));
    }

    @Test
    void onlyFloat32MapsOfWholeBlocksCanBeBlocked() {
        assertTrue(ChannelBlocks.canBlock(random(1, 1, 48, 2, 2)));
        assertFalse(ChannelBlocks.canBlock(random(1, 1, 24, 2, 2)));
        assertFalse(ChannelBlocks.canBlock(GradientCheck.random(1, 1, 32, 2, 2)));
        assertFalse(ChannelBlocks.canBlock(random(1, 1, 32, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChannelBlocks.block(random(1, 1, 24, 2, 2)));
        assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelBlocks.unblock(random(1, 1, 32, 2, 2)));
        assertTrue(e.getMessage().contains("not a float32 channel-blocked array"), e.getMessage());
    }

    @Test
    void theBlockingLayerIsTheIdentityWhereMapsCannotBeBlocked() {
        ChannelBlocking layer = new ChannelBlocking();
        INDArray doubles = GradientCheck.random(1, 2, 32, 3, 3);
        assertSame(doubles, layer.forward(doubles, Mode.TRAIN));
        INDArray g = GradientCheck.random(2, 2, 32, 3, 3);
        assertSame(g, layer.backward(g, BackwardContext.training()));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> layer.backward(GradientCheck.random(2, 2, 16, 3, 3), BackwardContext.training()));
        assertTrue(shape.getMessage().contains("expected shape [rows, 32, 3, 3]"), shape.getMessage());
        INDArray partial = random(1, 2, 24, 3, 3);
        assertSame(partial, layer.forward(partial, Mode.TRAIN));
        INDArray evaluated = random(2, 2, 32, 3, 3);
        assertSame(evaluated, layer.forward(evaluated, Mode.EVAL), "evaluation passes keep NCHW maps");

        INDArray x = random(3, 2, 32, 3, 3);
        INDArray y = layer.forward(x, Mode.TRAIN);
        assertEquals(ChannelBlocks.block(x), y);
        INDArray gy = random(4, 2, 2, 3, 3, 16);
        assertEquals(ChannelBlocks.unblock(gy), layer.backward(gy, BackwardContext.training()));
        assertEquals(y, layer.jvp(x, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.backward(random(5, 2, 32, 3, 3), BackwardContext.training()));
        assertTrue(e.getMessage().contains("channel-blocked"), e.getMessage());
    }

    @Test
    void layersThatReadNchwOnlyRejectBlockedMaps() {
        INDArray blocked = ChannelBlocks.block(random(1, 2, 32, 4, 4));
        for (Module layer : List.of(new AvgPool2d(2, 2), new MaxPool2d(2, 2), new MeanOverPositions(),
                new Linear(32, 4, true, new Init(1, DataType.FLOAT, Init.Scheme.KAIMING_NORMAL)))) {
            assertThrows(IllegalArgumentException.class, () -> layer.forward(blocked, Mode.TRAIN),
                    layer.getClass().getSimpleName());
        }
    }

    @Test
    void weightLayerViewsAndLibnd4jTakeNchwOnly() {
        Conv2d conv = conv(32, 16, 3, 1, true).get();
        INDArray blocked = ChannelBlocks.block(random(1, 2, 32, 4, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.inputPositions(blocked));
        assertTrue(e.getMessage().contains("channel-blocked"), e.getMessage());
        ConvolutionGeometry g = new ConvolutionGeometry(2, 32, 4, 4, 16, 3, 1, 1, false, true, true);
        e = assertThrows(IllegalArgumentException.class,
                () -> Nd4jConvolution.INSTANCE.forward(g, blocked, conv.weight().value(), null));
        assertTrue(e.getMessage().contains("channel-blocked"), e.getMessage());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> conv(48, 16, 3, 1, false).get().forward(blocked, Mode.TRAIN));
        assertTrue(channels.getMessage().contains("blocks"), channels.getMessage());
    }

    static Stream<Arguments> layers() {
        List<Arguments> cases = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            cases.add(Arguments.of("conv 3x3 with bias", conv(32, 16, 3, 1, true), mode));
            cases.add(Arguments.of("conv 3x3 stride 2", conv(32, 48, 3, 2, false), mode));
            cases.add(Arguments.of("conv 1x1 to 8 channels, NCHW output", conv(32, 8, 1, 1, true), mode));
            cases.add(Arguments.of("batch norm", (Supplier<Module>) () -> batchNorm(false), mode));
            cases.add(Arguments.of("rectified batch norm", (Supplier<Module>) () -> batchNorm(true), mode));
            cases.add(Arguments.of("relu", (Supplier<Module>) ReLU::new, mode));
            cases.add(Arguments.of("fixup bias", (Supplier<Module>) () -> {
                FixupBias b = new FixupBias(DataType.FLOAT);
                b.bias().value().assign(0.3);
                return b;
            }, mode));
            cases.add(Arguments.of("rectified fixup bias", (Supplier<Module>) () -> {
                FixupBias b = FixupBias.rectified(DataType.FLOAT);
                b.bias().value().assign(-0.1);
                return b;
            }, mode));
            cases.add(Arguments.of("fixup scale", (Supplier<Module>) () -> {
                FixupScale s = new FixupScale(DataType.FLOAT);
                s.scale().value().assign(1.7);
                return s;
            }, mode));
            cases.add(Arguments.of("global average pooling", (Supplier<Module>) GlobalAvgPool2d::new, mode));
            cases.add(Arguments.of("flatten", (Supplier<Module>) Flatten::new, mode));
            cases.add(Arguments.of("pre-activation residual block", (Supplier<Module>) () -> new Residual(
                    new Sequential(batchNorm(false), new ReLU(), conv(32, 32, 3, 1, false).get())), mode));
        }
        cases.add(Arguments.of("dropout", (Supplier<Module>) () -> new Dropout(0.3, 1), Mode.EVAL));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("layers")
    void blockedMapsGiveWhatNchwMapsGive(String name, Supplier<Module> make, Mode mode) {
        Module plain = make.get();
        Module blocked = make.get();
        INDArray x = random(11, 3, 32, 6, 6);
        INDArray y = plain.forward(x, mode);
        INDArray yb = blocked.forward(ChannelBlocks.block(x), mode);
        assertEquals(blockable(y), ChannelBlocks.isBlocked(yb), "output layout");
        assertClose(y, ChannelBlocks.nchw(yb), "output");

        INDArray gy = random(12, y.shape());
        INDArray gx = plain.backward(gy, BackwardContext.training());
        INDArray gxb = blocked.backward(inLayoutOf(yb, gy), BackwardContext.training());
        assertTrue(ChannelBlocks.isBlocked(gxb), "the input gradient is in the input's layout");
        assertClose(gx, ChannelBlocks.unblock(gxb), "input gradient");
        Map<String, Parameter> pp = plain.namedParameters();
        Map<String, Parameter> pb = blocked.namedParameters();
        for (String p : pp.keySet()) {
            assertClose(pp.get(p).grad(), pb.get(p).grad(), "gradient of " + p);
        }

        long[] twoCopies = y.shape().clone();
        twoCopies[0] *= 2;
        INDArray gy2 = random(13, twoCopies);
        List<INDArray> seenPlain = new ArrayList<>();
        List<INDArray> seenBlocked = new ArrayList<>();
        INDArray gx2 = plain.backward(gy2, BackwardContext.curvature(2, (l, in, g, c) -> {
            seenPlain.add(in);
            seenPlain.add(g);
        }));
        INDArray gx2b = blocked.backward(inLayoutOf(yb, gy2), BackwardContext.curvature(2, (l, in, g, c) -> {
            seenBlocked.add(in);
            seenBlocked.add(g);
        }));
        assertClose(gx2, ChannelBlocks.unblock(gx2b), "input gradient of two copies");
        assertEquals(seenPlain.size(), seenBlocked.size());
        for (int i = 0; i < seenPlain.size(); i++) {
            assertEquals(4, seenBlocked.get(i).rank(), "taps read NCHW arrays");
            assertClose(seenPlain.get(i), seenBlocked.get(i), "tap argument " + i);
        }

        if (mode == Mode.EVAL) {
            INDArray t = random(14, x.shape());
            assertClose(plain.jvp(t, null), ChannelBlocks.nchw(blocked.jvp(ChannelBlocks.block(t), null)),
                    "forward-mode derivative");
        }
    }

    /** Whether an NCHW result of a blocked input comes back blocked: rank 4 with whole blocks of channels. */
    private static boolean blockable(INDArray y) {
        return y.rank() == 4 && y.size(1) % ChannelBlocks.BLOCK == 0;
    }

    private static INDArray inLayoutOf(INDArray output, INDArray g) {
        return ChannelBlocks.isBlocked(output) ? ChannelBlocks.block(g) : g;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": differs by " + diff + " (largest value " + scale + ")");
    }

    private static Supplier<Conv2d> conv(long in, long out, int kernel, int stride, boolean bias) {
        return () -> new Conv2d(in, out, kernel, stride, kernel / 2, bias,
                new Init(5, DataType.FLOAT, Init.Scheme.KAIMING_NORMAL));
    }

    private static BatchNorm2d batchNorm(boolean rectified) {
        BatchNorm2d bn = rectified ? BatchNorm2d.rectified(32, DataType.FLOAT) : new BatchNorm2d(32, DataType.FLOAT);
        bn.scale().value().assign(random(21, 32).add(1.5));
        bn.shift().value().assign(random(22, 32));
        bn.runningMean().assign(random(23, 32).mul(0.1));
        bn.runningVar().assign(random(24, 32).add(2));
        return bn;
    }
}
