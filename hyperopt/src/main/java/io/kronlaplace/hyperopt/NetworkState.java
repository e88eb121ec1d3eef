package io.kronlaplace.hyperopt;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies of a network's parameters and buffers (BatchNorm running statistics), by name: for keeping the best
 * weights and for checkpoints. Names are {@code "param/<dotted name>"} and {@code "buffer/<dotted name>"}.
 */
public final class NetworkState {
    /** Prefix of parameter entries. */
    public static final String PARAM = "param/";
    /** Prefix of buffer entries. */
    public static final String BUFFER = "buffer/";

    private NetworkState() {
    }

    /**
     * Captures a network's state, e.g. the weights of the best epoch.
     *
     * @param network the network
     * @return copies of all parameters (named {@value #PARAM} + name) and buffers ({@value #BUFFER} + name), in
     *         network order
     */
    public static Map<String, INDArray> capture(Network network) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        network.parameters().forEach((name, p) -> out.put(PARAM + name, p.value().dup()));
        network.buffers().forEach((name, b) -> out.put(BUFFER + name, b.dup()));
        return out;
    }

    /**
     * Writes captured values back into the live arrays.
     *
     * @param network the network to overwrite; an architecture with the same parameter and buffer names and shapes
     * @param state   values as {@link #capture} names them (entries the network lacks are ignored)
     * @throws IllegalArgumentException when an entry is missing or has the wrong shape, naming it
     */
    public static void restore(Network network, Map<String, INDArray> state) {
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            assign(e.getValue().value(), state.get(PARAM + e.getKey()), PARAM + e.getKey());
        }
        for (Map.Entry<String, INDArray> e : network.buffers().entrySet()) {
            assign(e.getValue(), state.get(BUFFER + e.getKey()), BUFFER + e.getKey());
        }
    }

    private static void assign(INDArray live, INDArray saved, String name) {
        if (saved == null) {
            throw new IllegalArgumentException("saved state has no entry '" + name + "' (different architecture?)");
        }
        if (!Arrays.equals(live.shape(), saved.shape())) {
            throw new IllegalArgumentException("saved '" + name + "' has shape " + Arrays.toString(saved.shape())
                    + ", the network's is " + Arrays.toString(live.shape()));
        }
        live.assign(saved.castTo(live.dataType()));
    }
}
