package io.kronlaplace.validation.data;

/**
 * A finite, indexable collection of examples that can be subset, shuffled and split.
 *
 * <p>Implementations are immutable: every operation returns a new data set. The self type {@code D} lets
 * {@link #subset(int[])} and friends return the concrete type (an {@link ImageDataset} stays an image data set).
 *
 * @param <D> the concrete data set type
 */
public interface Dataset<D extends Dataset<D>> {

    /**
     * A short human-readable name (used in reports and error messages).
     *
     * @return the name of the data set
     */
    String name();

    /**
     * Number of examples.
     *
     * @return the number N of examples
     */
    int size();

    /**
     * The examples at the given positions, in that order (positions may repeat).
     *
     * @param indices positions of the chosen examples, each in 0..N-1
     * @return a data set of {@code indices.length} examples
     */
    D subset(int[] indices);

    /**
     * The same examples in a seeded random order ({@link SeededShuffle}).
     *
     * @param seed seed of the permutation
     * @return a data set with the same examples in permuted order
     */
    default D shuffled(long seed) {
        return subset(SeededShuffle.permutation(size(), seed));
    }

    /**
     * A seeded random split into training and validation parts.
     *
     * @param validationFraction fraction of examples (rounded to the nearest integer count) that go to validation, in
     *                           [0, 1)
     * @param seed               seed of the shuffling permutation
     * @return the training part and the validation part
     */
    default Split<D> split(double validationFraction, long seed) {
        if (!(validationFraction >= 0.0 && validationFraction < 1.0)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        int n = size();
        int validationCount = (int) Math.round(validationFraction * n);
        int[] perm = SeededShuffle.permutation(n, seed);
        int[] train = new int[n - validationCount];
        int[] validation = new int[validationCount];
        System.arraycopy(perm, 0, validation, 0, validationCount);
        System.arraycopy(perm, validationCount, train, 0, n - validationCount);
        return new Split<>(subset(train), subset(validation));
    }

    /**
     * Mini-batches covering the data set once, in a seeded random order.
     *
     * @param batchSize  examples per batch (the last batch may be smaller unless {@code dropLast})
     * @param seed       seed of the order; each call with the same seed yields the same batches
     * @param dropLast   whether to drop a final incomplete batch
     * @return the batches of one pass over the data
     */
    default MiniBatches<D> batches(int batchSize, long seed, boolean dropLast) {
        return new MiniBatches<>(this, batchSize, SeededShuffle.permutation(size(), seed), dropLast);
    }

    /**
     * Mini-batches in the stored order (for evaluation, where order does not matter).
     *
     * @param batchSize examples per batch (the last batch may be smaller), >= 1
     * @return the batches of one pass over the data
     */
    default MiniBatches<D> batchesInOrder(int batchSize) {
        int[] identity = new int[size()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        return new MiniBatches<>(this, batchSize, identity, false);
    }
}
