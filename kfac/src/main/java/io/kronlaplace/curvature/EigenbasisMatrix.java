package io.kronlaplace.curvature;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A symmetric matrix G = Q diag(w) Q^T kept in eigenbasis form (float64): how the log-determinant sensitivities of
 * {@link KronEigenbasis} are expressed, since they share the eigenvectors of the factor they belong to. See
 * docs/kronecker-eigenbasis.md, section Sensitivities to the factors.
 *
 * <p>Products {@code rows * G} with fewer rows than the width go through the eigenbasis ({@code ((rows Q) o w) Q^T},
 * 4 r D^2 flops) and never form G, whose D^3 construction would dominate for wide factors; for more rows G is formed
 * once, outside any workspace so that it outlives the arena of the pass that asked first, and reused. The weights and
 * eigenvectors never change; only that dense copy is filled in lazily, so one instance must not be shared between
 * threads.
 */
public final class EigenbasisMatrix {
    private final INDArray q;
    private final double[] weights;
    private final INDArray weightRow;
    private INDArray dense;

    /**
     * @param q       D x D orthonormal eigenvectors in columns (any floating type; kept as float64)
     * @param weights the D eigenvalues of G in that basis
     * @throws IllegalArgumentException when the shapes disagree or a weight is not finite
     */
    public EigenbasisMatrix(INDArray q, double[] weights) {
        Objects.requireNonNull(q, "eigenvectors");
        Objects.requireNonNull(weights, "weights");
        if (q.rank() != 2 || q.size(0) != q.size(1) || q.size(0) != weights.length) {
            throw new IllegalArgumentException("eigenvectors must be " + weights.length + " x " + weights.length
                    + " for " + weights.length + " weights, got " + Arrays.toString(q.shape()));
        }
        for (double w : weights) {
            if (!Double.isFinite(w)) {
                throw new IllegalArgumentException("eigenbasis weights must be finite, got " + w);
            }
        }
        this.q = q.dataType() == DataType.DOUBLE ? q : q.castTo(DataType.DOUBLE);
        this.weights = weights.clone();
        this.weightRow = Nd4j.createFromArray(this.weights).reshape(1, weights.length);
    }

    /**
     * The matrix's size.
     *
     * @return D, the number of rows and columns of G
     */
    public long size() {
        return weights.length;
    }

    /**
     * The eigenvalues of G in its basis.
     *
     * @return a copy of the D weights w, entry i belonging to column i of Q
     */
    public double[] weights() {
        return weights.clone();
    }

    /**
     * The basis G is diagonal in.
     *
     * @return a new float64 {@code [D, D]} copy of Q, one eigenvector per column
     */
    public INDArray eigenvectors() {
        return q.dup();
    }

    /**
     * The matrix formed explicitly (D^3 flops).
     *
     * @return G = Q diag(w) Q^T as a new dense {@code [D, D]} float64 matrix
     */
    public INDArray dense() {
        return q.mulRowVector(weightRow).mmul(q.transpose());
    }

    /**
     * G + other, for a matrix with the same eigenvectors (the same array, as the weight and bias sensitivities of one
     * layer's output factor share Q_B).
     *
     * @param other a matrix built on the same eigenvector array as this one
     * @return a new matrix with the same eigenvectors and the weights summed entry by entry
     * @throws IllegalArgumentException when the eigenvectors are not the same array
     */
    public EigenbasisMatrix plus(EigenbasisMatrix other) {
        if (other.q != q) {
            throw new IllegalArgumentException("matrices in different eigenbases cannot be added in eigenbasis form");
        }
        double[] sum = weights.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.weights[i];
        }
        return new EigenbasisMatrix(q, sum);
    }

    /**
     * {@code rows * G} for float64 rows {@code [r, D]}, a new {@code [r, D]} array.
     *
     * @param rows float64 matrix {@code [r, D]}, any number of rows r; with r &gt;= D the dense G is formed on the
     *             first such call and kept
     * @return the product {@code rows * G} as a new float64 {@code [r, D]} array
     * @throws IllegalArgumentException when the rows are not D wide
     */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    public INDArray rowsTimes(INDArray rows) {
        if (rows.rank() != 2 || rows.size(1) != q.size(0)) {
            throw new IllegalArgumentException("rows must be [r, " + q.size(0) + "], got "
                    + Arrays.toString(rows.shape()));
        }
        if (rows.size(0) < q.size(0)) {
            return rows.mmul(q).muliRowVector(weightRow).mmul(q.transpose());
        }
        if (dense == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                dense = dense();
            }
        }
        return rows.mmul(dense);
    }
}
