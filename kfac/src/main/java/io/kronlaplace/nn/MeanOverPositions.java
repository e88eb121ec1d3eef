package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mean over the positions axis: {@code [N, R, ...]} to {@code [N, ...]}, averaging each example's R positions
 * (tokens, patches, or the augmented copies of an invariant model laid out along axis 1). The weight layers before it
 * share their weights over those positions (see docs/layer-layouts.md), so K-FAC treats them as one example's
 * positions. Linear: the backward pass sends each output vector, divided by R, to every position.
 */
public final class MeanOverPositions extends Module {
    private long[] inputShape;

    /** A mean over axis 1 of inputs of rank 3 or more. */
    public MeanOverPositions() {
        super();
    }

    /**
     * Averages axis 1.
     *
     * @param input {@code [N, R, ...]}, rank 3 or more
     * @param mode  ignored (the mean is the same in training and evaluation)
     * @return {@code [N, ...]}
     * @throws IllegalArgumentException when the input has rank below 3
     */
    @Override
    public INDArray forward(INDArray input, Mode mode) {
        requirePositions(input, "input");
        inputShape = input.shape();
        return input.mean(1);
    }

    /**
     * Sends each vector at the output, divided by R, to all R positions.
     *
     * @param gradOutput {@code [k*N, ...]}, k = {@code context.copies()}
     * @param context    the backward pass's copies and tap
     * @return {@code [k*N, R, ...]}
     * @throws IllegalArgumentException when the gradient's shape does not match the last forward pass
     * @throws IllegalStateException    before {@link #forward}
     */
    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        long[] shape = requireShape("backward");
        requireRows(gradOutput, shape[0], context, this);
        requireTrailing(gradOutput, shape, "output gradient");
        return spread(gradOutput, shape[1]);
    }

    /**
     * The mean is linear: the tangent is averaged the same way.
     *
     * @param tangent {@code [N, R, ...]}, the shape of the last input
     * @param tap     ignored (no weights)
     * @return {@code [N, ...]}
     * @throws IllegalArgumentException when the tangent's shape differs from the last input's
     * @throws IllegalStateException    before {@link #forward}
     */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        Tokens.requireSameShape(tangent, requireShape("jvp"), this);
        return tangent.mean(1);
    }

    /**
     * The adjoint of the mean over axis 1: {@code [K, ...]} to {@code [K, R, ...]}, each row divided by R and repeated
     * for the R positions.
     */
    static INDArray spread(INDArray gradOutput, long positions) {
        long[] shape = gradOutput.shape();
        long[] expanded = new long[shape.length + 1];
        expanded[0] = shape[0];
        expanded[1] = 1;
        System.arraycopy(shape, 1, expanded, 2, shape.length - 1);
        return gradOutput.div(positions).reshape('c', expanded).repeat(1, positions);
    }

    private void requirePositions(INDArray x, String what) {
        if (ChannelBlocks.isBlocked(x)) {
            throw new IllegalArgumentException("MeanOverPositions '" + path() + "' " + what + " is a channel-blocked "
                    + "map " + Arrays.toString(x.shape()) + ", not [N, R, ...]; pool images with GlobalAvgPool2d");
        }
        if (x.rank() < 3) {
            throw new IllegalArgumentException("MeanOverPositions '" + path() + "' " + what
                    + " must be [N, R, ...] of rank 3 or more, got shape " + Arrays.toString(x.shape()));
        }
    }

    private void requireTrailing(INDArray gradOutput, long[] shape, String what) {
        long[] trailing = Arrays.copyOfRange(shape, 2, shape.length);
        long[] got = Arrays.copyOfRange(gradOutput.shape(), 1, Math.max(1, gradOutput.rank()));
        if (!Arrays.equals(trailing, got)) {
            throw new IllegalArgumentException("MeanOverPositions '" + path() + "' " + what + " has shape "
                    + Arrays.toString(gradOutput.shape()) + ", expected [rows, " + Arrays.toString(trailing)
                    .replaceAll("[\\[\\]]", "") + "]");
        }
    }

    private long[] requireShape(String pass) {
        if (inputShape == null) {
            throw new IllegalStateException("MeanOverPositions '" + path() + "': " + pass + " called before forward");
        }
        return inputShape;
    }
}
