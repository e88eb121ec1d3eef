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

    public CheckpointData {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(metadata, "metadata");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
    }

    /** The tensor with this name; a clear error when the checkpoint lacks it. */
    public INDArray tensor(String name) {
        INDArray t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("checkpoint of kind '" + kind + "' has no tensor '" + name + "'");
        }
        return t;
    }

    /** The tensors whose names start with {@code prefix}, keyed by the rest of the name, in stored order. */
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
