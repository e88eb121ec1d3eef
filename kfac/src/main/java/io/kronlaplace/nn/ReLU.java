package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Rectified linear unit; the derivative at 0 is taken as 0. */
public final class ReLU extends Module {
    private INDArray mask;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        mask = input.gt(0).castTo(input.dataType());
        return Transforms.relu(input, true);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray m = requireCached(mask, this);
        requireRows(gradOutput, m.size(0), context, this);
        return gradOutput.mul(Tensors.repeatCopies(m, context.copies()));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray m = requireCached(mask, this);
        if (!java.util.Arrays.equals(tangent.shape(), m.shape())) {
            throw new IllegalArgumentException("ReLU '" + path() + "': tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was " + java.util.Arrays.toString(m.shape()));
        }
        return tangent.mul(m);
    }
}
