package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Convolutions through libnd4j's native {@code conv2d}, {@code conv2d_bp} and {@code deconv2d} ops: every data type
 * (float64 included, through im2col and GEMM); for float32, libnd4j's own oneDNN 2.3 build.
 */
final class Nd4jConvolution implements ConvolutionBackend {
    /** The one instance: the backend holds no state. */
    static final Nd4jConvolution INSTANCE = new Nd4jConvolution();

    /** libnd4j argument: NCHW data layout. */
    private static final int NCHW = 0;
    /** libnd4j argument: weights laid out [oC, iC, kH, kW]. */
    private static final int OIHW = 1;
    /** libnd4j argument: explicit padding (not SAME). */
    private static final int EXPLICIT_PADDING = 0;

    private Nd4jConvolution() {
    }

    @Override
    public INDArray forward(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b) {
        INDArray out = Nd4j.createUninitialized(x.dataType(), g.outputShape());
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b})
                .addOutputs(out)
                .addIntegerArguments(args(g))
                .build());
        return out;
    }

    @Override
    public void gradients(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b, INDArray gy, INDArray gx,
            INDArray gw, INDArray gb) {
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(args(g));
        if (b == null) {
            op.addInputs(x, w, gy).addOutputs(gx, gw);
        } else {
            op.addInputs(x, w, b, gy).addOutputs(gx, gw, gb);
        }
        Nd4j.exec(op.build());
    }

    /**
     * As libnd4j's transposed convolution {@code deconv2d} of the output gradient: it needs only the input's shape,
     * so k copies per example go through without tiling the cached input or computing the kernel gradient. (The
     * kernel [Cout, Cin, k, k] is deconv2d's [iC, oC, kH, kW] layout.) The op produces only input sizes
     * {@code s*(Hout-1) + k - 2p}; when the stride leaves rows or columns of the input unread at the far edge, the
     * output gradient is padded with one zero row (column) at that edge, which keeps every window's start position,
     * and the result is cropped back to {@code H x W}.
     */
    @Override
    public INDArray inputGradient(ConvolutionGeometry g, INDArray gy, INDArray w) {
        int k = g.kernel();
        int s = g.stride();
        int p = g.padding();
        boolean exactH = (g.height() + 2L * p - k) % s == 0;
        boolean exactW = (g.width() + 2L * p - k) % s == 0;
        if (exactH && exactW) {
            return deconv(g, gy, w, g.height(), g.width());
        }
        long outH = g.outHeight();
        long outW = g.outWidth();
        long padOutH = exactH ? outH : outH + 1;
        long padOutW = exactW ? outW : outW + 1;
        INDArray padded = Nd4j.zeros(gy.dataType(), gy.size(0), g.outChannels(), padOutH, padOutW);
        padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, outH),
                NDArrayIndex.interval(0, outW)).assign(gy);
        INDArray big = deconv(g, padded, w, (padOutH - 1) * s + k - 2L * p, (padOutW - 1) * s + k - 2L * p);
        return big.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, g.height()),
                NDArrayIndex.interval(0, g.width())).dup('c');
    }

    /** Transposed convolution of gy with the kernel: conv2d's input gradient for an input of size h x w. */
    private static INDArray deconv(ConvolutionGeometry g, INDArray gy, INDArray w, long h, long wd) {
        INDArray gradInput = Nd4j.createUninitialized(gy.dataType(), gy.size(0), g.inChannels(), h, wd);
        Nd4j.exec(DynamicCustomOp.builder("deconv2d")
                .addInputs(gy, w)
                .addOutputs(gradInput)
                .addIntegerArguments(args(g))
                .build());
        return gradInput;
    }

    private static int[] args(ConvolutionGeometry g) {
        if (g.anyBlocked()) {
            throw new IllegalArgumentException("libnd4j's convolutions take NCHW arrays, not channel-blocked ones: "
                    + g);
        }
        int k = g.kernel();
        int s = g.stride();
        int p = g.padding();
        return new int[] {k, k, s, s, p, p, 1, 1, EXPLICIT_PADDING, NCHW, OIHW};
    }
}
