package io.kronlaplace.hyperopt.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.hyperopt.NetworkState;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model as written by {@code kronlaplace train} and read by {@code evaluate} and {@code curvature}: the
 * architecture, the input normalisation, the learned hyperparameters and the weights (parameters and buffers).
 *
 * @param architecture      the network to rebuild
 * @param normalizationMean per-channel mean subtracted from the images (empty for graph inputs)
 * @param normalizationStd  per-channel standard deviation the images are divided by (empty for graph inputs)
 * @param priorPrecisions   learned prior precisions (one, or one per weight/bias group in network order)
 * @param eta               learned augmentation parameters (empty when none were learned)
 * @param state             parameters and buffers, named as by {@link NetworkState}
 * @param data              where the training and test data came from (null for files that do not record it)
 * @param regression        the target standardisation and noise of a regression model (null for other models)
 */
public record SavedModel(ModelArchitecture architecture, double[] normalizationMean, double[] normalizationStd,
                         double[] priorPrecisions, double[] eta, Map<String, INDArray> state, DataSource data,
                         TargetScaling regression) {
    /** Checkpoint kind of model files. */
    public static final String KIND = "model";
    /** The word for a model file in error messages. */
    public static final String FILE_KIND = "model file";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A model that records neither its data nor a regression scaling (a classifier or graph network).
     *
     * @param architecture      the network to rebuild
     * @param normalizationMean per-channel input mean
     * @param normalizationStd  per-channel input standard deviation
     * @param priorPrecisions   learned prior precisions
     * @param eta               learned augmentation parameters
     * @param state             parameters and buffers
     */
    public SavedModel(ModelArchitecture architecture, double[] normalizationMean, double[] normalizationStd,
                      double[] priorPrecisions, double[] eta, Map<String, INDArray> state) {
        this(architecture, normalizationMean, normalizationStd, priorPrecisions, eta, state, null, null);
    }

    /**
     * Checks the normalisation has one standard deviation per mean; the full check of a file's contents is
     * {@link #read}'s.
     *
     * @param architecture      the network to rebuild, not null
     * @param normalizationMean per-channel mean subtracted from the images (empty for graph inputs), not null
     * @param normalizationStd  per-channel standard deviation the images are divided by, one per mean
     * @param priorPrecisions   learned prior precisions (one, or one per weight/bias group in network order)
     * @param eta               learned augmentation parameters (empty when none were learned)
     * @param state             parameters and buffers, named as by {@link NetworkState}, not null
     * @param data              where the training and test data came from, or null when not recorded
     * @param regression        the target standardisation and noise of a regression model, null for other models
     * @throws NullPointerException     when the architecture, the state or a normalisation array is null
     * @throws IllegalArgumentException when the normalisation has not one standard deviation per mean
     */
    public SavedModel {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(state, "state");
        if (normalizationMean.length != normalizationStd.length) {
            throw new IllegalArgumentException("normalisation has " + normalizationMean.length + " means but "
                    + normalizationStd.length + " standard deviations");
        }
    }

    /**
     * Writes the model atomically (a temporary file renamed over {@code file}), readable by {@link #read}.
     *
     * @param file where the model goes, replaced when it exists
     * @throws IOException when the file cannot be written
     */
    public void write(Path file) throws IOException {
        ObjectNode meta = JSON.createObjectNode();
        meta.set("architecture", JSON.valueToTree(architecture));
        meta.set("normalizationMean", JSON.valueToTree(normalizationMean));
        meta.set("normalizationStd", JSON.valueToTree(normalizationStd));
        meta.set("priorPrecisions", JSON.valueToTree(priorPrecisions));
        meta.set("eta", JSON.valueToTree(eta));
        if (data != null) {
            meta.set("data", JSON.valueToTree(data));
        }
        if (regression != null) {
            meta.set("regression", JSON.valueToTree(regression));
        }
        CheckpointFile.write(file, new CheckpointData(KIND, meta, new LinkedHashMap<>(state)));
    }

    /**
     * Reads a model file and validates it completely: the architecture, the normalisation (one finite mean and one
     * finite positive standard deviation per image channel, none for graph inputs), positive finite prior
     * precisions, finite augmentation parameters, and every parameter and buffer of the architecture present once
     * with its shape and finite values. The architecture's size is bounded by the values the file holds before the
     * network is built, so a corrupt widening factor cannot exhaust memory. See docs/file-formats.md, section
     * Checkpoints and saved models.
     *
     * @param file a model file written by {@link #write}
     * @return the model, consistent with its architecture
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws CorruptCheckpointException        when it is damaged, not a model file, or inconsistent
     * @throws IOException                       when it cannot be read
     */
    public static SavedModel read(Path file) throws IOException {
        CheckpointData data = CheckpointFile.read(file, FILE_KIND);
        if (!KIND.equals(data.kind())) {
            throw new CorruptCheckpointException(file, FILE_KIND, "found a '" + data.kind()
                    + "' checkpoint (use the model.klm file written next to the report)", null);
        }
        SavedModel model;
        try {
            JsonNode meta = data.metadata();
            model = new SavedModel(JSON.treeToValue(required(meta, "architecture"), ModelArchitecture.class),
                    JSON.treeToValue(required(meta, "normalizationMean"), double[].class),
                    JSON.treeToValue(required(meta, "normalizationStd"), double[].class),
                    JSON.treeToValue(required(meta, "priorPrecisions"), double[].class),
                    JSON.treeToValue(required(meta, "eta"), double[].class), data.tensors(),
                    optional(meta, "data", DataSource.class), optional(meta, "regression", TargetScaling.class));
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new CorruptCheckpointException(file, FILE_KIND, "malformed metadata: " + e.getMessage(), e);
        }
        try {
            model.validate();
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(file, FILE_KIND, "inconsistent model: " + e.getMessage(), e);
        }
        return model;
    }

    private static JsonNode required(JsonNode meta, String field) {
        JsonNode node = meta.get(field);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("metadata has no '" + field + "'");
        }
        return node;
    }

    private static <T> T optional(JsonNode meta, String field, Class<T> type) throws IOException {
        JsonNode node = meta.get(field);
        return node == null || node.isNull() ? null : JSON.treeToValue(node, type);
    }

    /**
     * The likelihood of the model's outputs: Gaussian for a regression model, else that of its architecture.
     *
     * @return the likelihood type
     */
    public LikelihoodType likelihood() {
        return regression != null ? LikelihoodType.REGRESSION : architecture.likelihood();
    }

    /** Checks everything {@link #network} and the evaluation rely on, naming the first problem. */
    private void validate() {
        int channels = architecture.inputChannels();
        if (!architecture.kind().imageInputs() && (channels != 0 || normalizationMean.length != 0)) {
            throw new IllegalArgumentException("a " + architecture.kind() + " has no input channels to normalise, "
                    + "the file has " + channels + " channels and " + normalizationMean.length + " means");
        }
        if (architecture.kind().imageInputs() && (channels < 1 || normalizationMean.length != channels)) {
            throw new IllegalArgumentException(normalizationMean.length + " normalisation means for "
                    + channels + " input channels");
        }
        for (int c = 0; c < channels; c++) {
            if (!Double.isFinite(normalizationMean[c]) || !(normalizationStd[c] > 0)
                    || !Double.isFinite(normalizationStd[c])) {
                throw new IllegalArgumentException("channel " + c + " has normalisation mean " + normalizationMean[c]
                        + " and standard deviation " + normalizationStd[c] + " (finite, and positive)");
            }
        }
        if (priorPrecisions.length == 0) {
            throw new IllegalArgumentException("no prior precisions");
        }
        for (double p : priorPrecisions) {
            if (!(p > 0) || !Double.isFinite(p)) {
                throw new IllegalArgumentException("prior precision " + p + " is not finite and positive");
            }
        }
        for (double e : eta) {
            if (!Double.isFinite(e)) {
                throw new IllegalArgumentException("augmentation parameter " + e + " is not finite");
            }
        }
        long stored = 0;
        for (INDArray t : state.values()) {
            stored += t.length();
        }
        long needed = architecture.minimumParameterValues();
        if (needed > stored) {
            throw new IllegalArgumentException(architecture.describe() + " with " + architecture.classes()
                    + " classes needs at least " + needed + " values, the file holds " + stored);
        }
        Network net = architecture.build(0);
        Map<String, INDArray> live = new LinkedHashMap<>();
        net.parameters().forEach((name, p) -> live.put(NetworkState.PARAM + name, p.value()));
        net.buffers().forEach((name, b) -> live.put(NetworkState.BUFFER + name, b));
        for (Map.Entry<String, INDArray> e : live.entrySet()) {
            INDArray saved = state.get(e.getKey());
            if (saved == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' of " + architecture.describe()
                        + " is missing");
            }
            if (!Arrays.equals(saved.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(saved.shape()) + ", " + architecture.describe() + " needs "
                        + Arrays.toString(e.getValue().shape()));
            }
            if (!saved.dataType().isFPType() || !Tensors.allFinite(saved)) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' holds NaN, infinite or non-floating "
                        + "values");
            }
        }
        if (live.size() != state.size()) {
            state.keySet().stream().filter(k -> !live.containsKey(k)).findFirst().ifPresent(k -> {
                throw new IllegalArgumentException("tensor '" + k + "' is not part of " + architecture.describe());
            });
        }
    }

    /**
     * The learned prior precision.
     *
     * @return a scalar prior when one value was learned, else a per-group prior with one value per weight and bias
     *         group
     */
    public PriorPrecision prior() {
        return priorPrecisions.length == 1 ? PriorPrecision.scalar(priorPrecisions[0])
                : PriorPrecision.perGroup(priorPrecisions);
    }

    /**
     * Rebuilds the network and loads the weights.
     *
     * @return a new network of the architecture holding the saved parameters and buffers
     * @throws IllegalArgumentException when the state does not fit the architecture (a model that {@link #read}
     *                                  returned always fits)
     */
    public Network network() {
        Network net = architecture.build(0);
        NetworkState.restore(net, state);
        return net;
    }
}
