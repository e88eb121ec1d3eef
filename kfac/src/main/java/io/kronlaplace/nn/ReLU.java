package io.kronlaplace.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
        if (onOneDnn(input)) {
            output = Nd4j.createUninitialized(DataType.FLOAT, input.shape());
            OneDnnRelu.forward(input, output);
        } else {
            output = Transforms.relu(input, true);
        }
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray y = requireCached(output, this);
        requireRows(gradOutput, y.size(0), context, this);
        Tensors.requireSameTrailingShape(gradOutput, y, "ReLU '" + path() + "' output gradient");
        if (onOneDnn(y) && gradOutput.dataType() == DataType.FLOAT) {
            INDArray gradInput = Nd4j.createUninitialized(DataType.FLOAT, gradOutput.shape());
            OneDnnRelu.backward(y, gradOutput, gradInput);
            return gradInput;
        }
        INDArray g = Tensors.dense(gradOutput);
        INDArray gradInput = Nd4j.createUninitialized(g.dataType(), g.shape());
        int copies = context.copies();
        long n = y.size(0);
        for (int c = 0; c < copies; c++) {
            INDArray gc = copies == 1 ? g : g.get(NDArrayIndex.interval(c * n, (c + 1) * n));
            INDArray out = copies == 1 ? gradInput : gradInput.get(NDArrayIndex.interval(c * n, (c + 1) * n));
            Nd4j.getExecutioner().exec(new Sign(y, out));
            out.muli(gc);
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
        // the same mask as backward: passes the tangent where the output is positive
        if (onOneDnn(y) && tangent.dataType() == DataType.FLOAT) {
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, tangent.shape());
            OneDnnRelu.backward(y, tangent, out);
            return out;
        }
        INDArray t = Tensors.dense(tangent);
        INDArray out = Nd4j.createUninitialized(t.dataType(), t.shape());
        Nd4j.getExecutioner().exec(new Sign(y, out));
        return out.muli(t);
    }

    private static boolean onOneDnn(INDArray x) {
        return x.dataType() == DataType.FLOAT && OneDnn.enabled();
    }
}
