package io.kronlaplace.curvature;

import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The im2col unfolding of a convolution's input as per-example matrices {@code [N, Din, R]} (features in (channel,
 * kernel row, kernel column) order by output positions): libnd4j's {@code im2col} layout as it comes out, so K-FAC
 * EXPAND can form sum_n P_n P_n^T without the transposed copy that {@link Conv2d#patches} makes.
 */
final class ConvColumns {
    /** libnd4j argument: explicit padding (not SAME). */
    private static final int EXPLICIT_PADDING = 0;

    private ConvColumns() {
    }

    /**
     * Unfolded input {@code [N, Cin, kh, kw, Hout, Wout]} in the input's type, C order, so that
     * {@code reshape(N, Cin*kh*kw, Hout*Wout)} is a free view; the caller may close it to free its memory at once.
     */
    static INDArray unfold(Conv2d conv, INDArray x) {
        INDArray input = Tensors.dense(x);
        long n = input.size(0);
        long[] out = conv.outputSize(input.size(2), input.size(3));
        INDArray cols = Nd4j.create(input.dataType(), n, conv.inChannels(), conv.kernelH(), conv.kernelW(), out[0],
                out[1]);
        Nd4j.exec(DynamicCustomOp.builder("im2col")
                .addInputs(input)
                .addOutputs(cols)
                .addIntegerArguments(conv.kernelH(), conv.kernelW(), conv.strideH(), conv.strideW(), conv.padH(),
                        conv.padW(), 1, 1, EXPLICIT_PADDING)
                .build());
        if (input != x) {
            input.close();
        }
        return cols;
    }
}
