package io.kronlaplace.laplace;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One mini-batch: network inputs (N rows along dimension 0) and targets (class indices of shape [N] for
 * classification, N x C values for regression).
 */
public record Batch(INDArray inputs, INDArray targets) {
    /**
     * Rejects null arrays.
     *
     * @param inputs  network inputs, N rows along dimension 0
     * @param targets class indices of shape [N], or N x C regression targets
     * @throws NullPointerException when either is null
     */
    public Batch {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(targets, "targets");
    }
}
