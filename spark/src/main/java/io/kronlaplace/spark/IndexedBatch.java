package io.kronlaplace.spark;

import io.kronlaplace.laplace.Batch;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One mini-batch with its index in the whole pass, as plain arrays for shipping to executors.
 *
 * @param index   position of the batch in the pass (0, 1, ...)
 * @param inputs  network inputs
 * @param targets targets
 */
record IndexedBatch(long index, ShippedArray inputs, ShippedArray targets) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The batches numbered 0, 1, ... in order. */
    static List<IndexedBatch> number(List<Batch> batches) {
        List<IndexedBatch> out = new ArrayList<>(batches.size());
        for (Batch b : batches) {
            if (b == null) {
                throw new NullPointerException("batch " + out.size() + " is null");
            }
            out.add(new IndexedBatch(out.size(), ShippedArray.of(b.inputs()), ShippedArray.of(b.targets())));
        }
        return out;
    }

    /** The batch rebuilt as ND4J arrays. */
    Batch toBatch() {
        return new Batch(inputs.toArray(), targets.toArray());
    }
}
