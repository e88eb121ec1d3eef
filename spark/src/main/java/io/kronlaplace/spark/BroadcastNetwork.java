package io.kronlaplace.spark;

import io.kronlaplace.io.WeightsFile;
import io.kronlaplace.io.WeightsFileException;
import io.kronlaplace.nn.Network;
import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A network shipped to executors: the factory of its architecture plus its parameters and buffers broadcast once per
 * job in the weights file format, rebuilt bit-identically (same floating type, same values) in each task.
 */
final class BroadcastNetwork implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final NetworkFactory factory;
    private final Broadcast<byte[]> weights;
    private final String dataType;

    /**
     * Broadcasts the network's current weights.
     *
     * @throws IllegalArgumentException when the weights hold NaN or infinity
     */
    BroadcastNetwork(JavaSparkContext spark, NetworkFactory factory, Network network) {
        this.factory = Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(network, "network");
        try {
            this.weights = spark.broadcast(WeightsFile.toBytes(network));
        } catch (WeightsFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.dataType = network.dataType().name();
    }

    /**
     * A fresh network with the driver's weights (on an executor).
     *
     * @throws IllegalArgumentException when the factory builds another architecture than the driver's network
     */
    Network rebuild() {
        Network network = factory.build();
        network.castTo(DataType.valueOf(dataType));
        try {
            WeightsFile.fromBytes(network, weights.value(), "the broadcast weights");
        } catch (WeightsFileException e) {
            throw new IllegalArgumentException("the network factory builds another architecture than the driver's "
                    + "network: " + e.getMessage(), e);
        }
        return network;
    }

    /** Frees the broadcast copies on the executors. */
    void destroy() {
        weights.destroy();
    }
}
