package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Max pooling over square {@code k x k} windows with stride s and no padding, NCHW:
 * {@code z[n, c, i, j] = max_{u, v < k} x[n, c, i*s + u, j*s + v]}, output size {@code (H - k) / s + 1}. Of tied
 * entries the first in row-major window order is chosen.
 *
 * <p>The forward pass scans the k*k strided views of the input (one per kernel offset) and records, per output
 * entry, which offset won. Backward and forward-mode derivative pass a vector through exactly that choice (the
 * derivative of the piecewise-linear map on the forward pass's piece), like the ReLU mask. The layer has no weights,
 * so the curvature engine gives it no block; it only routes back-propagated vectors.
 */
public final class MaxPool2d extends Module {
    private final PoolingWindows windows;
    private long[] inputShape;
    /** Per output entry, the winning offset u * k + v, in the input's type (exact: at most k*k - 1). */
    private INDArray winner;

    /**
     * @param kernel window height and width, >= 1
     * @param stride step between windows, >= 1
     */
    public MaxPool2d(int kernel, int stride) {
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
        return "MaxPool2d '" + path() + "'";
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireRank(input, name() + " input (N, C, H, W)", 4);
        long[] hw = outputSize(input.size(2), input.size(3));
        INDArray out = input.get(windows.window(0, 0, hw)).dup('c');
        INDArray won = Nd4j.zeros(input.dataType(), out.shape());
        for (int u = 0; u < kernel(); u++) {
            for (int v = 0; v < kernel(); v++) {
                if (u == 0 && v == 0) {
                    continue;
                }
                INDArray candidate = input.get(windows.window(u, v, hw));
                // strictly greater: the earlier offset keeps a tie
                INDArray better = candidate.gt(out).castTo(input.dataType());
                won.addi(better.mul(u * kernel() + v).subi(better.mul(won)));
                out = Transforms.max(out, candidate, false);
            }
        }
        inputShape = input.shape();
        winner = won;
        return out;
    }

    /** 1 where offset (u, v) won, else 0, repeated for {@code copies} vectors per example. */
    private INDArray choice(int u, int v, int copies) {
        return Tensors.repeatCopies(winner.eq(u * kernel() + v).castTo(winner.dataType()), copies);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        requireCached(winner, this);
        requireRows(gradOutput, inputShape[0], context, this);
        long[] hw = windows.requireOutputGradient(gradOutput, inputShape, name());
        INDArray gradInput = Nd4j.zeros(gradOutput.dataType(), gradOutput.size(0), inputShape[1], inputShape[2],
                inputShape[3]);
        for (int u = 0; u < kernel(); u++) {
            for (int v = 0; v < kernel(); v++) {
                INDArray routed = gradOutput.mul(choice(u, v, context.copies()).castTo(gradOutput.dataType()));
                gradInput.get(windows.window(u, v, hw)).addi(routed);
            }
        }
        return gradInput;
    }

    /** The tangent at each window's winning entry, as chosen in the last forward pass. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireCached(winner, this);
        if (!java.util.Arrays.equals(tangent.shape(), inputShape)) {
            throw new IllegalArgumentException(name() + ": tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was "
                    + java.util.Arrays.toString(inputShape));
        }
        long[] hw = outputSize(inputShape[2], inputShape[3]);
        INDArray out = Nd4j.zeros(tangent.dataType(), winner.shape());
        for (int u = 0; u < kernel(); u++) {
            for (int v = 0; v < kernel(); v++) {
                out.addi(tangent.get(windows.window(u, v, hw)).mul(choice(u, v, 1).castTo(tangent.dataType())));
            }
        }
        return out;
    }
}
