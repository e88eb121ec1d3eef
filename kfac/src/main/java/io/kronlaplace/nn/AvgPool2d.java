package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Average pooling over square {@code k x k} windows with stride s and no padding, NCHW:
 * {@code z[n, c, i, j] = mean_{u, v < k} x[n, c, i*s + u, j*s + v]}, output size {@code (H - k) / s + 1}.
 *
 * <p>Computed as a sum of k*k strided views of the input (one per kernel offset); the backward pass scatters the
 * gradient back through the same views. It does not read the input, so k copies per example need no extra memory.
 */
public final class AvgPool2d extends Module {
    private final PoolingWindows windows;
    private long[] inputShape;

    /**
     * @param kernel window height and width
     * @param stride step between windows
     */
    public AvgPool2d(int kernel, int stride) {
        this.windows = new PoolingWindows(kernel, stride);
    }

    /**
     * Window height and width in pixels.
     *
     * @return k, the side of the square window
     */
    public int kernel() {
        return windows.kernel();
    }

    /**
     * Step between windows in pixels.
     *
     * @return s, the stride along both height and width
     */
    public int stride() {
        return windows.stride();
    }

    /**
     * Output height and width for an {@code h x w} input.
     *
     * @param h input height in pixels
     * @param w input width in pixels
     * @return {@code {(h - k) / s + 1, (w - k) / s + 1}}
     * @throws IllegalArgumentException when the input is smaller than the window in either direction
     */
    public long[] outputSize(long h, long w) {
        return windows.outputSize(h, w, name());
    }

    private String name() {
        return "AvgPool2d '" + path() + "'";
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireRank(input, "AvgPool2d '" + path() + "' input (N, C, H, W)", 4);
        long[] hw = outputSize(input.size(2), input.size(3));
        inputShape = input.shape();
        INDArray out = Nd4j.zeros(input.dataType(), input.size(0), input.size(1), hw[0], hw[1]);
        for (int u = 0; u < kernel(); u++) {
            for (int v = 0; v < kernel(); v++) {
                out.addi(input.get(windows.window(u, v, hw)));
            }
        }
        return out.muli(1.0 / ((double) kernel() * kernel()));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (inputShape == null) {
            throw new IllegalStateException("AvgPool2d '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, inputShape[0], context, this);
        long[] hw = windows.requireOutputGradient(gradOutput, inputShape, name());
        long rows = gradOutput.size(0);
        INDArray scaled = gradOutput.mul(1.0 / ((double) kernel() * kernel()));
        INDArray gradInput = Nd4j.zeros(gradOutput.dataType(), rows, inputShape[1], inputShape[2], inputShape[3]);
        for (int u = 0; u < kernel(); u++) {
            for (int v = 0; v < kernel(); v++) {
                gradInput.get(windows.window(u, v, hw)).addi(scaled);
            }
        }
        return gradInput;
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
