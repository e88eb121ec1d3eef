package io.kronlaplace.hyperopt;

/**
 * The replicas of a data-parallel training run: every replica holds the same network and optimiser state, computes
 * the gradient of its own rows of each global mini-batch and receives the sum over all replicas, so that all of them
 * take the same step (see docs/spark.md, section Data-parallel training).
 */
public interface ReplicaGroup {
    /** One replica in this JVM: it computes every row itself and sums nothing. */
    ReplicaGroup SINGLE = new ReplicaGroup() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public double[] sum(double[] local) {
            return local;
        }
    };

    /** This replica's position, 0 to {@link #size()} - 1. */
    int rank();

    /** The number of replicas, >= 1. */
    int size();

    /**
     * The element-wise sum of every replica's vector, added in rank order (0, 1, ...) so that every replica receives
     * the bit-identical result. Every replica calls this the same number of times with vectors of the same length.
     */
    double[] sum(double[] local);

    /**
     * This replica's share of a global mini-batch of {@code rows} rows: the contiguous range
     * {@code [rank * rows / size, (rank + 1) * rows / size)} as {from, to}; empty when the batch has fewer rows than
     * there are replicas.
     */
    default int[] shard(int rows) {
        return new int[] {(int) ((long) rank() * rows / size()), (int) ((long) (rank() + 1) * rows / size())};
    }
}
