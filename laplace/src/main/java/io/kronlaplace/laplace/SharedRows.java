package io.kronlaplace.laplace;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Outputs of a batch in which every example occupies S consecutive rows (its augmented copies): the invariant model's
 * output of an example is the mean of its S rows.
 */
public final class SharedRows {
    private SharedRows() {
    }

    /**
     * Averages each example's S consecutive rows.
     *
     * @param outputs         {@code N*S x C}
     * @param rowsPerExample  S, at least 1 (1 returns {@code outputs} itself)
     * @return {@code N x C}
     * @throws IllegalArgumentException when the outputs are not a matrix or their row count is not a positive multiple
     *                                  of S
     */
    public static INDArray average(INDArray outputs, int rowsPerExample) {
        if (outputs.rank() != 2) {
            throw new IllegalArgumentException("outputs to average must be N*S x C, got shape "
                    + Arrays.toString(outputs.shape()));
        }
        long rows = outputs.size(0);
        if (rowsPerExample < 1 || rows % rowsPerExample != 0 || rows == 0) {
            throw new IllegalArgumentException("outputs have " + rows + " rows, which is not a positive multiple of "
                    + rowsPerExample + " rows per example");
        }
        if (rowsPerExample == 1) {
            return outputs;
        }
        return outputs.dup('c').reshape('c', rows / rowsPerExample, rowsPerExample, outputs.size(1)).mean(1);
    }

    /**
     * The adjoint of {@link #average} for k back-propagated vectors per example: each row divided by S and repeated
     * for the example's S rows. Back-propagating its result through the per-row network gives the vectors of the
     * averaged model, whose Jacobian is the mean of the S per-row Jacobians.
     *
     * @param gradMean       {@code k*N x C}, copy-major (row {@code c*N + n})
     * @param rowsPerExample S, at least 1
     * @param copies         k, at least 1
     * @return {@code k*N*S x C}, row {@code c*N*S + n*S + s} = {@code gradMean[c*N + n] / S}
     * @throws IllegalArgumentException when {@code gradMean} is not a matrix, S or k is below 1, or the row count is
     *                                  not a positive multiple of k
     */
    public static INDArray spread(INDArray gradMean, int rowsPerExample, int copies) {
        if (gradMean.rank() != 2) {
            throw new IllegalArgumentException("gradient at the averaged output must be k*N x C, got shape "
                    + Arrays.toString(gradMean.shape()));
        }
        if (rowsPerExample < 1 || copies < 1) {
            throw new IllegalArgumentException("rows per example and copies must be >= 1, got rows per example="
                    + rowsPerExample + ", copies=" + copies);
        }
        long rows = gradMean.size(0);
        if (rows == 0 || rows % copies != 0) {
            throw new IllegalArgumentException("gradient at the averaged output has " + rows
                    + " rows, which is not a positive multiple of " + copies + " copies");
        }
        long c = gradMean.size(1);
        INDArray scaled = gradMean.div(rowsPerExample).reshape('c', rows, 1, c);
        return Nd4j.tile(scaled, 1, rowsPerExample, 1).reshape('c', rows * rowsPerExample, c);
    }
}
