package io.kronlaplace.validation.data;

import io.kronlaplace.laplace.Batch;
import java.util.Iterator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A data set of (input, target) pairs that a network is trained on: the inputs as one tensor whose first axis is the
 * example, the targets in the form the likelihood takes them.
 *
 * <pre>{@code
 * posterior.fit(train.asBatches(128));
 * }</pre>
 *
 * @param <D> the concrete data set type
 */
public interface SupervisedDataset<D extends SupervisedDataset<D>> extends Dataset<D> {
    /**
     * The inputs, example-major.
     *
     * @return {@code [N, ...]} (shared, do not modify)
     */
    INDArray inputs();

    /**
     * The targets: N class indices (a LONG vector) for classification, an {@code N x C} floating-point matrix for
     * regression.
     *
     * @return the targets of all N examples
     */
    INDArray targets();

    /**
     * All examples as one {@link Batch} of inputs and targets.
     *
     * @return the batch
     */
    default Batch toBatch() {
        return new Batch(inputs(), targets());
    }

    /**
     * The data set as the mini-batches a Laplace fit or a training loop takes: {@link #batchesInOrder} turned into
     * {@link Batch}es one at a time (each pass of the returned iterator builds its batches lazily).
     *
     * @param batchSize examples per batch (the last batch may be smaller), at least 1
     * @return the batches in stored order
     * @throws IllegalArgumentException when the batch size is below 1
     */
    default Iterator<Batch> asBatches(int batchSize) {
        Iterator<D> batches = batchesInOrder(batchSize).iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public Batch next() {
                return batches.next().toBatch();
            }
        };
    }
}
