package io.kronlaplace.laplace;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

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
}
