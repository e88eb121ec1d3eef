package io.kronlaplace.optim;

import io.kronlaplace.nn.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-array buffers of an optimiser (momentum, moments, scratch), allocated at the first step and checked against the
 * arrays of every later step, plus the in-place arithmetic the update rules share.
 */
final class OptimizerState {
    private final int buffersPerArray;
    private final List<INDArray[]> buffers = new ArrayList<>();

    OptimizerState(int buffersPerArray) {
        this.buffersPerArray = buffersPerArray;
    }

    /**
     * Validates one step's inputs and returns the buffers of each array (zeros at the first step). Nothing is changed
     * when the inputs are invalid.
     */
    List<INDArray[]> prepare(List<INDArray> parameters, List<INDArray> gradients) {
        if (parameters.size() != gradients.size()) {
            throw new IllegalArgumentException("got " + parameters.size() + " parameter arrays but "
                    + gradients.size() + " gradients");
        }
        if (!buffers.isEmpty() && buffers.size() != parameters.size()) {
            throw new IllegalArgumentException("this optimiser was first stepped with " + buffers.size()
                    + " arrays, now got " + parameters.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            INDArray p = parameters.get(i);
            INDArray g = gradients.get(i);
            if (!Arrays.equals(p.shape(), g.shape()) || p.dataType() != g.dataType()) {
                throw new IllegalArgumentException("parameter " + i + " is " + p.dataType() + " "
                        + Arrays.toString(p.shape()) + " but its gradient is " + g.dataType() + " "
                        + Arrays.toString(g.shape()));
            }
            if (!p.dataType().isFPType()) {
                throw new IllegalArgumentException("parameter " + i + " must be floating point, got " + p.dataType());
            }
            if (!buffers.isEmpty()) {
                INDArray state = buffers.get(i)[0];
                if (!Arrays.equals(state.shape(), p.shape()) || state.dataType() != p.dataType()) {
                    throw new IllegalArgumentException("parameter " + i + " is " + p.dataType() + " "
                            + Arrays.toString(p.shape()) + " but this optimiser's state was made for "
                            + state.dataType() + " " + Arrays.toString(state.shape()));
                }
            }
            requireFinite(g, "gradient of parameter " + i);
        }
        if (buffers.isEmpty()) {
            for (INDArray p : parameters) {
                INDArray[] b = new INDArray[buffersPerArray];
                for (int k = 0; k < buffersPerArray; k++) {
                    b[k] = Nd4j.zeros(p.dataType(), p.shape());
                }
                buffers.add(b);
            }
        }
        return buffers;
    }

    /** Copies of every buffer, array-major; empty before the first step. */
    List<INDArray> export() {
        List<INDArray> out = new ArrayList<>();
        for (INDArray[] b : buffers) {
            for (INDArray x : b) {
                out.add(x.dup());
            }
        }
        return out;
    }

    /** Replaces the buffers by copies of {@code saved} (as from {@link #export()}); empty resets to before step 1. */
    void restore(List<INDArray> saved) {
        if (saved.size() % buffersPerArray != 0) {
            throw new IllegalArgumentException("optimiser state has " + saved.size() + " buffers, not a multiple of "
                    + buffersPerArray + " per array");
        }
        buffers.clear();
        for (int i = 0; i < saved.size(); i += buffersPerArray) {
            INDArray[] b = new INDArray[buffersPerArray];
            for (int k = 0; k < buffersPerArray; k++) {
                b[k] = saved.get(i + k).dup();
            }
            buffers.add(b);
        }
    }

    /** Throws naming {@code what} when x holds NaN or infinity. */
    static void requireFinite(INDArray x, String what) {
        Tensors.requireFinite(x, what + " " + Arrays.toString(x.shape()));
    }

    /** {@code y += alpha * x} in place, any shape. */
    static void axpy(double alpha, INDArray x, INDArray y) {
        Nd4j.exec(new Axpy(x, y, y, alpha));
    }

    /** Throws unless {@code value} is finite and in {@code [0, 1)}. */
    static double requireUnitInterval(double value, String what) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
        }
        return value;
    }

    /** Throws unless {@code value} is finite and >= 0. */
    static double requireNonNegative(double value, String what) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + value);
        }
        return value;
    }
}
