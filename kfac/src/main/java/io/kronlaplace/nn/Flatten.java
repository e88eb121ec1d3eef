package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reshapes {@code [N, d1, d2, ...]} to {@code [N, d1*d2*...]} (C order), e.g. NCHW feature maps to a Linear input. */
public final class Flatten extends Module {
    private long[] inputShape;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        if (input.rank() < 2) {
            throw new IllegalArgumentException("Flatten '" + path() + "' needs rank >= 2, got shape "
                    + Arrays.toString(input.shape()));
        }
        inputShape = input.shape();
        return input.reshape('c', input.size(0), input.length() / input.size(0));
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
        return gradOutput.reshape('c', target);
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
        return tangent.reshape('c', tangent.size(0), tangent.length() / tangent.size(0));
    }
}
