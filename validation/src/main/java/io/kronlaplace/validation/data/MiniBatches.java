package io.kronlaplace.validation.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Mini-batches of a data set in a fixed order, iterable any number of times (each pass yields the same batches).
 *
 * @param <D> data set type; each batch is a {@link Dataset#subset(int[])} of the source
 */
public final class MiniBatches<D extends Dataset<D>> implements Iterable<D> {
    private final Dataset<D> source;
    private final int batchSize;
    private final int[] order;
    private final int count;

    MiniBatches(Dataset<D> source, int batchSize, int[] order, boolean dropLast) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.source = source;
        this.batchSize = batchSize;
        this.order = order.clone();
        this.count = dropLast ? order.length / batchSize : (order.length + batchSize - 1) / batchSize;
    }

    /**
     * Number of batches in one pass.
     *
     * @return the number of batches
     */
    public int count() {
        return count;
    }

    /**
     * The source positions of batch {@code b}, in batch order.
     *
     * @param b index of the batch, in 0..count()-1
     * @return positions in the source data set of the batch's examples
     * @throws IndexOutOfBoundsException when b is outside 0..count()-1
     */
    public int[] indicesOf(int b) {
        if (b < 0 || b >= count) {
            throw new IndexOutOfBoundsException("batch " + b + " of " + count);
        }
        int from = b * batchSize;
        return Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
    }

    @Override
    public Iterator<D> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public D next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("all " + count + " batches consumed");
                }
                return source.subset(indicesOf(next++));
            }
        };
    }
}
