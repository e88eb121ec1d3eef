package io.kronlaplace.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Rectified linear unit; the derivative at 0 is taken as 0. The backward pass reads the cached output, which is
 * positive exactly where the input is. Float32 arrays go through oneDNN 3 ({@link OneDnnRelu}: one pass each way)
 * unless {@link OneDnn#PROPERTY} turns it off. Otherwise, since {@code y >= 0}, {@code sign(y)} is the derivative, and
 * the gradient is that mask times the output gradient, two SIMD passes (libnd4j's fused {@code relu_bp} calls a
 * function object per element and took about three times as long). Both give the same numbers.
 */
public final class ReLU extends Module {
    private INDArray output;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        output = rectify(input);
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray y = requireCached(output, this);
        requireRows(gradOutput, y.size(0), context, this);
        return passWherePositive(y, gradOutput, "ReLU '" + path() + "' output gradient");
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray y = requireCached(output, this);
        if (!java.util.Arrays.equals(tangent.shape(), y.shape())) {
            throw new IllegalArgumentException("ReLU '" + path() + "': tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was "
                    + java.util.Arrays.toString(y.shape()));
        }
        // the same mask as backward: passes the tangent where the output is positive
        return passWherePositive(y, tangent, "ReLU '" + path() + "' tangent");
    }

    /**
     * {@code max(x, 0)} as a new array; the rectifier of this layer and of {@link BatchNorm2d#rectified}.
     *
     * @param x any array
     * @return a new dense array of x's shape and type
     */
    static INDArray rectify(INDArray x) {
        if (!onOneDnn(x)) {
            return Transforms.relu(x, true);
        }
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        OneDnnRelu.forward(x, y);
        return y;
    }

    /**
     * {@code max(x + s, 0)} for a scalar s as a new array, one pass on oneDNN; the rectified {@link FixupBias}.
     *
     * @param x     any array
     * @param shift s, an array of one entry of x's type
     * @return a new dense array of x's shape and type
     */
    static INDArray rectifyShifted(INDArray x, INDArray shift) {
        if (!onOneDnn(x)) {
            return Transforms.relu(x.add(shift.getDouble(0)), false);
        }
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        OneDnnRelu.shiftedForward(x, shift, y);
        return y;
    }

    /**
     * The derivative of the rectifier applied to gradients or tangents: g where the rectified output y is positive,
     * 0 elsewhere, for each of the {@code g.size(0) / y.size(0)} copy-major blocks of g.
     *
     * @param y    a rectified output ({@link #rectify})
     * @param g    gradients or tangents: a whole number of blocks of y's shape, stacked along dimension 0
     * @param what how an error message names g, e.g. "ReLU 'relu' output gradient"
     * @return a new dense array of g's shape
     * @throws IllegalArgumentException when g differs from y in a dimension other than the first
     */
    static INDArray passWherePositive(INDArray y, INDArray g, String what) {
        Tensors.requireSameTrailingShape(g, y, what);
        if (onOneDnn(y) && g.dataType() == DataType.FLOAT) {
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, g.shape());
            OneDnnRelu.backward(y, g, out);
            return out;
        }
        INDArray dense = Tensors.dense(g);
        INDArray out = Nd4j.createUninitialized(dense.dataType(), dense.shape());
        long n = y.size(0);
        for (long first = 0; first < dense.size(0); first += n) {
            INDArray block = dense.size(0) == n ? dense : Tensors.firstAxisRange(dense, first, first + n);
            INDArray outBlock = dense.size(0) == n ? out : Tensors.firstAxisRange(out, first, first + n);
            Nd4j.getExecutioner().exec(new Sign(y, outBlock));
            outBlock.muli(block);
        }
        return out;
    }

    private static boolean onOneDnn(INDArray x) {
        return x.dataType() == DataType.FLOAT && OneDnn.enabled();
    }
}
