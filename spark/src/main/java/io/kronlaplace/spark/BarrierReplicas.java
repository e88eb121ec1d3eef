package io.kronlaplace.spark;

import io.kronlaplace.hyperopt.ReplicaGroup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Objects;
import org.apache.spark.BarrierTaskContext;

/**
 * The tasks of one Spark barrier stage as data-parallel replicas: rank = partition id, and {@link #sum} gathers every
 * task's vector with {@link BarrierTaskContext#allGather} (which returns the messages in partition order, to every
 * task) and adds them in that order, so every task holds the bit-identical sum.
 */
final class BarrierReplicas implements ReplicaGroup {
    private final BarrierTaskContext context;
    private final int size;

    BarrierReplicas(BarrierTaskContext context) {
        this.context = Objects.requireNonNull(context, "context");
        this.size = context.getTaskInfos().length;
    }

    @Override
    public int rank() {
        return context.partitionId();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public double[] sum(double[] local) {
        String[] all = context.allGather(encode(local));
        double[] total = decode(all[0], local.length);
        for (int r = 1; r < all.length; r++) {
            double[] other = decode(all[r], local.length);
            for (int i = 0; i < total.length; i++) {
                total[i] += other[i];
            }
        }
        return total;
    }

    /** The values' IEEE bits, little-endian, in Base64 (allGather exchanges strings). */
    static String encode(double[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(values);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /**
     * The values of {@link #encode}.
     *
     * @throws IllegalStateException when a replica sent a vector of another length
     */
    static double[] decode(String message, int length) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(message)).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.remaining() != length * Double.BYTES) {
            throw new IllegalStateException("a replica sent " + bytes.remaining() / Double.BYTES + " values, expected "
                    + length + ": the replicas are out of step");
        }
        double[] out = new double[length];
        bytes.asDoubleBuffer().get(out);
        return out;
    }
}
