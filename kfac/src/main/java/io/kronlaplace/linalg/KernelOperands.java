package io.kronlaplace.linalg;

import io.kronlaplace.nn.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The operand checks of the {@link ComputeKernels} operations, shared by every implementation so that each backend
 * rejects the same inputs with the same messages.
 */
public final class KernelOperands {

    private KernelOperands() {
    }

    /**
     * Checks the operands of a symmetric rank-k update: both dense C-order, one type, float32 or float64.
     *
     * @param factor the rows (or stack of matrices) whose Gram matrix is added
     * @param target the Gram sum updated in place
     * @throws IllegalArgumentException when they are not
     */
    public static void requireRankUpdateOperands(INDArray factor, INDArray target) {
        for (INDArray m : new INDArray[] {factor, target}) {
            if (!Tensors.isDenseBuffer(m)) {
                throw new IllegalArgumentException("syrk operands must be dense C-order arrays");
            }
        }
        if (factor.dataType() != target.dataType()
                || (factor.dataType() != DataType.DOUBLE && factor.dataType() != DataType.FLOAT)) {
            throw new IllegalArgumentException("syrk needs float32 or float64 operands of one type, got "
                    + factor.dataType() + " and " + target.dataType());
        }
    }

    /**
     * Checks the stack of a stacked rank update: N x D x R with N &gt;= 1.
     *
     * @param stack the matrices whose Grams are summed
     * @throws IllegalArgumentException when it is not three-dimensional or holds no matrix
     */
    public static void requireStack(INDArray stack) {
        if (stack.rank() != 3 || stack.size(0) < 1) {
            throw new IllegalArgumentException("a stacked rank update needs an N x D x R stack with N >= 1, got "
                    + Arrays.toString(stack.shape()));
        }
    }

    /**
     * Checks that a rank update's target is {@code d x d}.
     *
     * @param target the Gram sum updated in place
     * @param d      the width D of the factor's rows, which the target must match
     * @throws IllegalArgumentException when it is not
     */
    public static void requireSquareTarget(INDArray target, long d) {
        if (target.rank() != 2 || target.size(0) != d || target.size(1) != d) {
            throw new IllegalArgumentException("syrk target must be " + d + " x " + d + ", got "
                    + Arrays.toString(target.shape()));
        }
    }

    /**
     * Checks the input of a symmetric eigendecomposition: a square matrix without NaN or infinite values.
     *
     * @param symmetric the matrix to decompose, of any type
     * @return its order n
     * @throws IllegalArgumentException when it is not square or holds NaN or infinite values
     * @throws ArithmeticException      when the order does not fit in an int
     */
    public static int requireSymmetricInput(INDArray symmetric) {
        if (symmetric.rank() != 2 || symmetric.size(0) != symmetric.size(1)) {
            throw new IllegalArgumentException("eigendecomposition needs a square matrix, got shape "
                    + Arrays.toString(symmetric.shape()));
        }
        if (!Tensors.allFinite(symmetric)) {
            throw new IllegalArgumentException("eigendecomposition input (" + symmetric.size(0) + " x "
                    + symmetric.size(1) + ") contains NaN or infinite values");
        }
        return Math.toIntExact(symmetric.size(0));
    }
}
