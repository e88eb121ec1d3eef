package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Hyperbolic tangent, element-wise; the derivative {@code 1 - tanh(x)^2} is taken from the cached output. */
public final class Tanh extends Module {
    private INDArray output;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        output = Transforms.tanh(input, true);
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray y = requireCached(output, this);
        requireRows(gradOutput, y.size(0), context, this);
        Tensors.requireSameTrailingShape(gradOutput, y, "Tanh '" + path() + "' output gradient");
        INDArray derivative = y.mul(y).rsubi(1.0);
        return gradOutput.mul(Tensors.repeatCopies(derivative, context.copies()));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray y = requireCached(output, this);
        return tangent.mul(y.mul(y).rsubi(1));
    }
}
