package io.kronlaplace.hyperopt.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.hyperopt.NetworkState;
import io.kronlaplace.nn.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model as written by {@code kronlaplace train} and read by {@code evaluate} and {@code curvature}: the
 * architecture, the input normalisation, the learned hyperparameters and the weights (parameters and buffers).
 *
 * @param architecture      the network to rebuild
 * @param normalizationMean per-channel mean subtracted from the images
 * @param normalizationStd  per-channel standard deviation the images are divided by
 * @param priorPrecisions   learned prior precisions (one, or one per weight/bias group in network order)
 * @param eta               learned augmentation parameters (empty when none were learned)
 * @param state             parameters and buffers, named as by {@link NetworkState}
 */
public record SavedModel(ModelArchitecture architecture, double[] normalizationMean, double[] normalizationStd,
                         double[] priorPrecisions, double[] eta, Map<String, INDArray> state) {
    /** Checkpoint kind of model files. */
    public static final String KIND = "model";
    private static final ObjectMapper JSON = new ObjectMapper();

    public SavedModel {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(state, "state");
        if (normalizationMean.length != normalizationStd.length) {
            throw new IllegalArgumentException("normalisation has " + normalizationMean.length + " means but "
                    + normalizationStd.length + " standard deviations");
        }
    }

    /** Writes the model atomically. */
    public void write(Path file) throws IOException {
        ObjectNode meta = JSON.createObjectNode();
        meta.set("architecture", JSON.valueToTree(architecture));
        meta.set("normalizationMean", JSON.valueToTree(normalizationMean));
        meta.set("normalizationStd", JSON.valueToTree(normalizationStd));
        meta.set("priorPrecisions", JSON.valueToTree(priorPrecisions));
        meta.set("eta", JSON.valueToTree(eta));
        CheckpointFile.write(file, new CheckpointData(KIND, meta, new LinkedHashMap<>(state)));
    }

    /**
     * Reads a model file.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws CorruptCheckpointException        when it is damaged or not a model file
     */
    public static SavedModel read(Path file) throws IOException {
        CheckpointData data = CheckpointFile.read(file);
        if (!KIND.equals(data.kind())) {
            throw new CorruptCheckpointException(file, "expected a model file, found a '" + data.kind()
                    + "' checkpoint (use the model.klm file written next to the report)");
        }
        try {
            JsonNode meta = data.metadata();
            return new SavedModel(JSON.treeToValue(meta.get("architecture"), ModelArchitecture.class),
                    JSON.treeToValue(meta.get("normalizationMean"), double[].class),
                    JSON.treeToValue(meta.get("normalizationStd"), double[].class),
                    JSON.treeToValue(meta.get("priorPrecisions"), double[].class),
                    JSON.treeToValue(meta.get("eta"), double[].class), data.tensors());
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new CorruptCheckpointException(file, "malformed model metadata: " + e.getMessage(), e);
        }
    }

    /** Rebuilds the network and loads the weights. */
    public Network network() {
        Network net = architecture.build(0);
        NetworkState.restore(net, state);
        return net;
    }
}
