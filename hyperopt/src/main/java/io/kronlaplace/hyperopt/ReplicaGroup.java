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

    /**
     * This replica's position in the group.
     *
     * @return the rank, 0 to {@link #size()} - 1
     */
    int rank();

    /**
     * The number of replicas.
     *
     * @return the group's size, &gt;= 1
     */
    int size();

    /**
     * The element-wise sum of every replica's vector, added in rank order (0, 1, ...) so that every replica receives
     * the bit-identical result. Every replica calls this the same number of times with vectors of the same length.
     *
     * @param local this replica's vector, e.g. its weighted gradient followed by its loss and correct count
     * @return the sum over the replicas, of the same length (the vector itself for a single replica)
     */
    double[] sum(double[] local);

    /**
     * This replica's share of a global mini-batch.
     *
     * @param rows the mini-batch's rows, &gt;= 0
     * @return the contiguous range {@code [rank * rows / size, (rank + 1) * rows / size)} as {from, to}; the shares
     *         of all replicas cover the rows once, and some are empty when the batch has fewer rows than there are
     *         replicas
     */
    default int[] shard(int rows) {
        return new int[] {(int) ((long) rank() * rows / size()), (int) ((long) (rank() + 1) * rows / size())};
    }
}
