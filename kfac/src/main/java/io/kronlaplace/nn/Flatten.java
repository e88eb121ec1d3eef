package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reshapes {@code [N, d1, d2, ...]} to {@code [N, d1*d2*...]} (C order), e.g. NCHW feature maps to a Linear input.
 * Channel-blocked maps (see {@link ChannelBlocking}) are flattened in NCHW order, so the features are the same in
 * both layouts; their gradient goes back blocked.
 */
public final class Flatten extends Module {
    /** The input's shape, NCHW for channel-blocked input. */
    private long[] inputShape;
    private boolean blocked;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        if (input.rank() < 2) {
            throw new IllegalArgumentException("Flatten '" + path() + "' needs rank >= 2, got shape "
                    + Arrays.toString(input.shape()));
        }
        blocked = ChannelBlocks.isBlocked(input);
        INDArray x = ChannelBlocks.nchw(input);
        inputShape = x.shape();
        return x.reshape('c', x.size(0), x.length() / x.size(0));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        long[] shape = requireShape();
        requireRows(gradOutput, shape[0], context, this);
        long features = Arrays.stream(shape).skip(1).reduce(1, (a, b) -> a * b);
        if (gradOutput.rank() != 2 || gradOutput.size(1) != features) {
            throw new IllegalArgumentException("Flatten '" + path() + "': output gradient must be [rows, " + features
                    + "], got " + Arrays.toString(gradOutput.shape()));
        }
        long[] target = shape.clone();
        target[0] = gradOutput.size(0);
        INDArray gradInput = gradOutput.reshape('c', target);
        return blocked ? ChannelBlocks.block(gradInput) : gradInput;
    }

    private long[] requireShape() {
        if (inputShape == null) {
            throw new IllegalStateException("Flatten '" + path() + "': backward called before forward");
        }
        return inputShape;
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireShape();
        INDArray t = ChannelBlocks.nchw(ChannelBlocks.requireLayout(tangent, blocked, "Flatten '" + path()
                + "' tangent"));
        return t.reshape('c', t.size(0), t.length() / t.size(0));
    }
}
