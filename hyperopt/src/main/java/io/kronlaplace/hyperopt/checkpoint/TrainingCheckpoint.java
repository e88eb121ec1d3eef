package io.kronlaplace.hyperopt.checkpoint;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.hyperopt.EpochSummary;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.optim.OptimizerSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The complete state of online marginal-likelihood training after an epoch, and its encoding as
 * {@link CheckpointData} of kind {@value #KIND} (see docs/online-training.md, section Checkpoints). Everything a
 * resumed run needs to continue bit for bit is here; the random streams are derived from (seed, epoch) and need no
 * state.
 *
 * @param options            the training options (a resumed run must use equal ones)
 * @param epochsDone         epochs completed
 * @param bestEpoch          epoch of the best log marginal likelihood so far
 * @param bestLogMarglik     that value (NaN when none was computed)
 * @param history            one summary per completed epoch
 * @param model              parameters and buffers now, by name
 * @param best               parameters and buffers of the best epoch, or null when there is none yet
 * @param optimizers         optimiser states by name ({@value #WEIGHTS}, {@value #HYPER}, {@value #ETA})
 * @param logPriorPrecisions the learned log prior precisions
 * @param logSigma           the learned log observation noise (NaN when sigma is not learned)
 * @param eta                the augmentation parameters, or null without learned augmentation
 */
public record TrainingCheckpoint(OnlineMarglikOptions options, int epochsDone, int bestEpoch, double bestLogMarglik,
                                 List<EpochSummary> history, Map<String, INDArray> model, Map<String, INDArray> best,
                                 Map<String, OptimizerSnapshot> optimizers, double[] logPriorPrecisions,
                                 double logSigma, double[] eta) {
    /** Checkpoint kind of online training. */
    public static final String KIND = "online-marglik";
    /** Name of the weight optimiser's state. */
    public static final String WEIGHTS = "optim";
    /** Name of the state of the Adam on the log hyperparameters. */
    public static final String HYPER = "priorAdam";
    /** Name of the state of the Adam on eta. */
    public static final String ETA = "etaAdam";
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());

    /**
     * The optimiser states by name, in the order they are stored.
     *
     * @param weights the weight optimiser's state, stored as {@value #WEIGHTS}
     * @param hyper   the state of the Adam on the log hyperparameters, stored as {@value #HYPER}
     * @param eta     the state of the Adam on eta, stored as {@value #ETA}
     * @return the three states keyed by those names, in that order
     */
    public static Map<String, OptimizerSnapshot> optimizers(OptimizerSnapshot weights, OptimizerSnapshot hyper,
                                                            OptimizerSnapshot eta) {
        Map<String, OptimizerSnapshot> out = new LinkedHashMap<>();
        out.put(WEIGHTS, weights);
        out.put(HYPER, hyper);
        out.put(ETA, eta);
        return out;
    }

    /**
     * Encodes the state for {@link CheckpointFile#write}.
     *
     * @return data of kind {@value #KIND}: the options, counters and history as JSON metadata; the weights, best
     *         weights, optimiser buffers and hyperparameters as tensors
     */
    public CheckpointData encode() {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("formatVersion", FORMAT_VERSION);
        meta.set("options", JSON.valueToTree(options));
        meta.put("epochsDone", epochsDone);
        meta.put("bestEpoch", bestEpoch);
        meta.put("bestLogMarglik", bestLogMarglik);
        meta.put("hasBest", best != null);
        ArrayNode hist = meta.putArray("history");
        history.forEach(h -> hist.add(JSON.valueToTree(h)));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        model.forEach((k, v) -> tensors.put("model/" + k, v));
        if (best != null) {
            best.forEach((k, v) -> tensors.put("best/" + k, v));
        }
        optimizers.forEach((name, snapshot) -> {
            meta.put(name + "Steps", snapshot.steps());
            meta.put(name + "Buffers", snapshot.buffers().size());
            for (int i = 0; i < snapshot.buffers().size(); i++) {
                tensors.put(name + "/" + i, snapshot.buffers().get(i));
            }
        });
        tensors.put("hyper/logDelta", Nd4j.createFromArray(logPriorPrecisions.clone()));
        if (!Double.isNaN(logSigma)) {
            tensors.put("hyper/logSigma", Nd4j.createFromArray(new double[] {logSigma}));
        }
        if (eta != null) {
            tensors.put("hyper/eta", Nd4j.createFromArray(eta.clone()));
        }
        return new CheckpointData(KIND, meta, tensors);
    }

    /**
     * Decodes a checkpoint written with the given options.
     *
     * @param data     what {@link CheckpointFile#read} returned
     * @param file     the file it came from (for messages)
     * @param expected the options of the run that resumes
     * @return the training state to continue from
     * @throws IllegalArgumentException for another kind, another format version or other options
     * @throws IOException              when the options cannot be parsed
     */
    public static TrainingCheckpoint decode(CheckpointData data, Path file, OnlineMarglikOptions expected)
            throws IOException {
        if (!KIND.equals(data.kind())) {
            throw new IllegalArgumentException(file + " is a '" + data.kind() + "' checkpoint, not an online "
                    + "marginal-likelihood training checkpoint");
        }
        JsonNode meta = data.metadata();
        if (meta.path("formatVersion").asInt() != FORMAT_VERSION) {
            throw new IllegalArgumentException(file + " has checkpoint format version "
                    + meta.path("formatVersion").asInt() + ", this version reads " + FORMAT_VERSION);
        }
        OnlineMarglikOptions saved = JSON.treeToValue(meta.get("options"), OnlineMarglikOptions.class);
        if (!saved.equals(expected)) {
            throw new IllegalArgumentException("checkpoint " + file + " was written with other options: "
                    + String.join("; ", differences(saved, expected)) + "; resume with the checkpoint's options");
        }
        List<EpochSummary> history = new ArrayList<>();
        for (JsonNode h : meta.get("history")) {
            history.add(JSON.treeToValue(h, EpochSummary.class));
        }
        Map<String, OptimizerSnapshot> optimizers = optimizers(snapshot(data, WEIGHTS), snapshot(data, HYPER),
                snapshot(data, ETA));
        boolean hasBest = meta.get("hasBest").asBoolean();
        return new TrainingCheckpoint(saved, meta.get("epochsDone").asInt(), meta.get("bestEpoch").asInt(),
                meta.get("bestLogMarglik").asDouble(), history, data.tensorsWithPrefix("model/"),
                hasBest ? new LinkedHashMap<>(data.tensorsWithPrefix("best/")) : null, optimizers,
                data.tensor("hyper/logDelta").toDoubleVector(),
                data.tensors().containsKey("hyper/logSigma") ? data.tensor("hyper/logSigma").getDouble(0) : Double.NaN,
                data.tensors().containsKey("hyper/eta") ? data.tensor("hyper/eta").toDoubleVector() : null);
    }

    /**
     * The options that differ, each as "name: value in the checkpoint, value now"; the items of
     * {@link OnlineMarglikOptions#dataSource()} are compared one by one, so a changed data option is named itself.
     *
     * @param saved    the checkpoint's options
     * @param expected the options of the run that resumes
     * @return one line per differing field, in the record's order
     */
    static List<String> differences(OnlineMarglikOptions saved, OnlineMarglikOptions expected) {
        Map<String, String> before = fields(saved);
        Map<String, String> now = fields(expected);
        Set<String> names = new LinkedHashSet<>(before.keySet());
        names.addAll(now.keySet());
        List<String> out = new ArrayList<>();
        for (String name : names) {
            String b = before.getOrDefault(name, "(none)");
            String n = now.getOrDefault(name, "(none)");
            if (!b.equals(n)) {
                out.add(name + " " + b + " in the checkpoint, " + n + " now");
            }
        }
        return out;
    }

    /** The options' fields by name as text, with the data source's items as fields of their own. */
    private static Map<String, String> fields(OnlineMarglikOptions options) {
        Map<String, String> out = new LinkedHashMap<>();
        JSON.valueToTree(options).properties().forEach(e -> {
            if (!e.getKey().equals("dataSource")) {
                out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        });
        for (String item : options.dataSource().split(";")) {
            String trimmed = item.trim();
            if (!trimmed.isEmpty()) {
                int eq = trimmed.indexOf('=');
                out.put(eq < 0 ? trimmed : trimmed.substring(0, eq), eq < 0 ? "" : trimmed.substring(eq + 1));
            }
        }
        return out;
    }

    private static OptimizerSnapshot snapshot(CheckpointData data, String name) {
        JsonNode meta = data.metadata();
        int count = meta.path(name + "Buffers").asInt(-1);
        if (count < 0 || !meta.has(name + "Steps")) {
            throw new IllegalStateException("checkpoint has no state for optimiser '" + name + "'");
        }
        List<INDArray> buffers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            buffers.add(data.tensor(name + "/" + i));
        }
        return new OptimizerSnapshot(meta.get(name + "Steps").asLong(), buffers);
    }
}
