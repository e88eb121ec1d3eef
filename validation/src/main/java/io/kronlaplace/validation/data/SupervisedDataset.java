package io.kronlaplace.validation.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A data set of (input, target) pairs that a network is trained on: the inputs as one tensor whose first axis is the
 * example, the targets in the form the likelihood takes them.
 *
 * @param <D> the concrete data set type
 */
public interface SupervisedDataset<D extends SupervisedDataset<D>> extends Dataset<D> {
    /** The inputs, example-major ({@code [N, ...]}; shared, do not modify). */
    INDArray inputs();

    /**
     * The targets: N class indices (a LONG vector) for classification, an {@code N x C} floating-point matrix for
     * regression.
     */
    INDArray targets();
}
