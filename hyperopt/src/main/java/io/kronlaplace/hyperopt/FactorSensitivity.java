package io.kronlaplace.hyperopt;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Derivatives of a layer's log-determinant terms w.r.t. its Kronecker factors, kept in the factors' eigenbases: a
 * change dA, dB of the factors changes the log-determinant by {@code <G_A, dA> + <G_B, dB>} to first order, with
 * {@code G_A = Q_A diag(inputWeights) Q_A^T} and {@code G_B = Q_B diag(gradientWeights) Q_B^T}.
 *
 * <p>Only products {@code rows * G} are offered. For fewer rows than the factor's size they go through the
 * eigenbasis ({@code ((rows Q) * w) Q^T}, 2 r D^2 flops) and never form G, whose D^3 construction dominated a
 * hyper-step for the 2304-wide factors of WRN-16-4; for more rows, G is formed once, outside any workspace so that it
 * outlives the arena of the pass that asked first, and reused.
 */
public final class FactorSensitivity {
    private final Side input;
    private final Side gradient;

    /**
     * @param qa              eigenvectors of A (columns), Din x Din, float64
     * @param inputWeights    Din weights of G_A in that basis
     * @param qb              eigenvectors of B (columns), Dout x Dout, float64
     * @param gradientWeights Dout weights of G_B in that basis
     */
    public FactorSensitivity(INDArray qa, double[] inputWeights, INDArray qb, double[] gradientWeights) {
        this.input = new Side(qa, inputWeights, "A");
        this.gradient = new Side(qb, gradientWeights, "B");
    }

    /** {@code rows * G_A} for float64 rows {@code [r, Din]}. */
    public INDArray timesInputFactor(INDArray rows) {
        return input.times(rows);
    }

    /** {@code rows * G_B} for float64 rows {@code [r, Dout]}. */
    public INDArray timesGradientFactor(INDArray rows) {
        return gradient.times(rows);
    }

    /** One factor's eigenbasis and weights, with the dense matrix built on first need. */
    private static final class Side {
        private final INDArray q;
        private final INDArray weights;
        private INDArray dense;

        Side(INDArray q, double[] weights, String factor) {
            Objects.requireNonNull(q, "eigenvectors of " + factor);
            if (q.rank() != 2 || q.size(0) != q.size(1) || q.size(0) != weights.length) {
                throw new IllegalArgumentException("eigenvectors of " + factor + " must be " + weights.length + " x "
                        + weights.length + ", got " + Arrays.toString(q.shape()));
            }
            this.q = q.castTo(DataType.DOUBLE);
            this.weights = Nd4j.createFromArray(weights.clone());
        }

        INDArray times(INDArray rows) {
            if (rows.size(1) != q.size(0)) {
                throw new IllegalArgumentException("rows have " + rows.size(1) + " columns, the factor is "
                        + q.size(0) + " wide");
            }
            if (rows.size(0) < q.size(0)) {
                return rows.mmul(q).muliRowVector(weights).mmul(q.transpose());
            }
            if (dense == null) {
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    dense = q.mulRowVector(weights).mmul(q.transpose());
                }
            }
            return rows.mmul(dense);
        }
    }
}
