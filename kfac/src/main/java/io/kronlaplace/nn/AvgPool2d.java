package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Average pooling over square {@code k x k} windows with stride s and no padding, NCHW:
 * {@code z[n, c, i, j] = mean_{u, v < k} x[n, c, i*s + u, j*s + v]}, output size {@code (H - k) / s + 1}.
 *
 * <p>Computed as a sum of k*k strided views of the input (one per kernel offset); the backward pass scatters the
 * gradient back through the same views. It does not read the input, so k copies per example need no extra memory.
 */
public final class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private long[] inputShape;

    /**
     * @param kernel window height and width
     * @param stride step between windows
     */
    public AvgPool2d(int kernel, int stride) {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("AvgPool2d needs positive kernel and stride, got kernel=" + kernel
                    + ", stride=" + stride);
        }
        this.kernel = kernel;
        this.stride = stride;
    }

    /** Window height and width in pixels. */
    public int kernel() {
        return kernel;
    }

    /** Step between windows in pixels. */
    public int stride() {
        return stride;
    }

    /** Output height and width for an {@code h x w} input. */
    public long[] outputSize(long h, long w) {
        if (h < kernel || w < kernel) {
            throw new IllegalArgumentException("AvgPool2d '" + path() + "': input " + h + "x" + w
                    + " is smaller than the " + kernel + "x" + kernel + " window");
        }
        return new long[] {(h - kernel) / stride + 1, (w - kernel) / stride + 1};
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireRank(input, "AvgPool2d '" + path() + "' input (N, C, H, W)", 4);
        long[] hw = outputSize(input.size(2), input.size(3));
        inputShape = input.shape();
        INDArray out = Nd4j.zeros(input.dataType(), input.size(0), input.size(1), hw[0], hw[1]);
        for (int u = 0; u < kernel; u++) {
            for (int v = 0; v < kernel; v++) {
                out.addi(input.get(window(u, v, hw)));
            }
        }
        return out.muli(1.0 / ((double) kernel * kernel));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (inputShape == null) {
            throw new IllegalStateException("AvgPool2d '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, inputShape[0], context, this);
        long[] hw = outputSize(inputShape[2], inputShape[3]);
        long rows = gradOutput.size(0);
        if (gradOutput.rank() != 4 || gradOutput.size(1) != inputShape[1] || gradOutput.size(2) != hw[0]
                || gradOutput.size(3) != hw[1]) {
            throw new IllegalArgumentException("AvgPool2d '" + path() + "': output gradient must be [" + rows + ", "
                    + inputShape[1] + ", " + hw[0] + ", " + hw[1] + "], got "
                    + java.util.Arrays.toString(gradOutput.shape()));
        }
        INDArray scaled = gradOutput.mul(1.0 / ((double) kernel * kernel));
        INDArray gradInput = Nd4j.zeros(gradOutput.dataType(), rows, inputShape[1], inputShape[2], inputShape[3]);
        for (int u = 0; u < kernel; u++) {
            for (int v = 0; v < kernel; v++) {
                gradInput.get(window(u, v, hw)).addi(scaled);
            }
        }
        return gradInput;
    }

    /** The input positions {@code (i*s + u, j*s + v)} for all output positions (i, j). */
    private INDArrayIndex[] window(int u, int v, long[] hw) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.interval(u, stride, u + (hw[0] - 1) * stride + 1),
            NDArrayIndex.interval(v, stride, v + (hw[1] - 1) * stride + 1)};
    }

    /** Pooling is linear in its input: the tangent is pooled with the same windows. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (inputShape == null) {
            throw new IllegalStateException("AvgPool2d '" + path() + "': jvp called before forward");
        }
        if (!java.util.Arrays.equals(tangent.shape(), inputShape)) {
            throw new IllegalArgumentException("AvgPool2d '" + path() + "': tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was " + java.util.Arrays.toString(inputShape));
        }
        return forward(tangent, Mode.EVAL);
    }
}
