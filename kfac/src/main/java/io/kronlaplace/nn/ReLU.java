package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Rectified linear unit; the derivative at 0 is taken as 0. The backward pass reads the cached output
 * ({@code y > 0} exactly where {@code x > 0}) through libnd4j's fused {@code relu_bp}, so no mask array is built.
 */
public final class ReLU extends Module {
    private INDArray output;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        output = Transforms.relu(input, true);
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray y = requireCached(output, this);
        requireRows(gradOutput, y.size(0), context, this);
        Tensors.requireSameTrailingShape(gradOutput, y, "ReLU '" + path() + "' output gradient");
        INDArray g = Tensors.dense(gradOutput);
        INDArray gradInput = Nd4j.createUninitialized(g.dataType(), g.shape());
        long n = y.size(0);
        for (int c = 0; c < context.copies(); c++) {
            INDArray gc = context.copies() == 1 ? g : g.get(NDArrayIndex.interval(c * n, (c + 1) * n));
            INDArray out = context.copies() == 1 ? gradInput
                    : gradInput.get(NDArrayIndex.interval(c * n, (c + 1) * n));
            Nd4j.exec(new RectifiedLinearDerivative(y, gc, out));
        }
        return gradInput;
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray y = requireCached(output, this);
        if (!java.util.Arrays.equals(tangent.shape(), y.shape())) {
            throw new IllegalArgumentException("ReLU '" + path() + "': tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was " + java.util.Arrays.toString(y.shape()));
        }
        // the same fused derivative as backward: passes the tangent where the output is positive
        INDArray t = Tensors.dense(tangent);
        INDArray out = Nd4j.createUninitialized(t.dataType(), t.shape());
        Nd4j.exec(new RectifiedLinearDerivative(y, t, out));
        return out;
    }
}
