package io.kronlaplace.hyperopt.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The content of one checkpoint: a JSON metadata tree (epoch, options, history, random-generator state...) and named
 * tensors (weights, optimiser state, hyperparameters), stored bit for bit.
 *
 * @param kind     what wrote the checkpoint (e.g. "online-marglik"); a reader rejects a kind it does not expect
 * @param metadata JSON metadata
 * @param tensors  named tensors, in insertion order; names are free-form ("model/conv.weight", "optim/m/...")
 */
public record CheckpointData(String kind, JsonNode metadata, Map<String, INDArray> tensors) {

    /**
     * Copies the tensor map, keeping its order.
     *
     * @param kind     what wrote the checkpoint, not null
     * @param metadata JSON metadata, not null
     * @param tensors  named tensors, not null; the map is copied into an unmodifiable one, the arrays are not copied
     * @throws NullPointerException when an argument is null
     */
    public CheckpointData {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(metadata, "metadata");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
    }

    /**
     * One tensor by name.
     *
     * @param name the tensor's full name, e.g. "model/conv.weight"
     * @return the tensor as stored (not copied)
     * @throws IllegalStateException naming the tensor and the checkpoint's kind when the checkpoint lacks it
     */
    public INDArray tensor(String name) {
        INDArray t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("checkpoint of kind '" + kind + "' has no tensor '" + name + "'");
        }
        return t;
    }

    /**
     * The tensors of one part of the checkpoint, e.g. the model's under "model/".
     *
     * @param prefix the start of the names, including its separator
     * @return the tensors whose names start with {@code prefix}, keyed by the rest of the name, in stored order; empty
     *         when there are none
     */
    public Map<String, INDArray> tensorsWithPrefix(String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                out.put(name.substring(prefix.length()), t);
            }
        });
        return out;
    }
}
