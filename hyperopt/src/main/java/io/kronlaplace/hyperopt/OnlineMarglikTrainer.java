package io.kronlaplace.hyperopt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.hyperopt.augment.InvariantModel;
import io.kronlaplace.hyperopt.checkpoint.CheckpointData;
import io.kronlaplace.hyperopt.checkpoint.CheckpointFile;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.optim.Adam;
import io.kronlaplace.optim.ConstantSchedule;
import io.kronlaplace.optim.CosineSchedule;
import io.kronlaplace.optim.LearningRateSchedule;
import io.kronlaplace.optim.Optimizer;
import io.kronlaplace.optim.OptimizerSnapshot;
import io.kronlaplace.optim.Sgd;
import io.kronlaplace.optim.StepSchedule;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SeededShuffle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Online marginal-likelihood training (Immer et al. 2021, Algorithm 1) of an image classifier, optionally with
 * learned affine augmentation (Immer, van der Ouderaa et al. 2022):
 * <ul>
 *   <li>every mini-batch: one optimiser step on {@code mean CE + (1/(2N)) sum delta o theta^2} (N = training-set
 *       size, one delta per prior group); with S &gt; 1 the model is the invariant model averaging the logits of S
 *       augmented copies;</li>
 *   <li>every F epochs from epoch B on: K-FAC factors over the training set at the current weights (the S copies
 *       are K-FAC's weight-sharing axis), then K Adam steps on log delta with the closed-form gradient reusing the
 *       eigendecomposition and, when augmentation is learned, Adam steps on eta with the exact gradient of
 *       {@link AugmentationMarglikGradient} on random mini-batches (factors held at the fit);</li>
 *   <li>the weights with the best log marginal likelihood are kept and loaded at the end.</li>
 * </ul>
 * With a checkpoint path, the complete state (weights, buffers, optimiser and hyper-optimiser state, hyperparameters,
 * history, best weights, epoch) is written atomically after every epoch; randomness is drawn from streams derived
 * from (seed, epoch), so a resumed run continues bit for bit as the uninterrupted run would have.
 */
public final class OnlineMarglikTrainer {
    /** Checkpoint kind written by this trainer. */
    public static final String CHECKPOINT_KIND = "online-marglik";
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);
    private static final int STREAM_TRAIN = 1;
    private static final int STREAM_CURVATURE = 2;
    private static final int STREAM_HYPER = 3;
    private static final String TRAIN_WORKSPACE = "online-marglik-train";

    private final Network network;
    private final ImageDataset train;
    private final OnlineMarglikOptions options;
    private final CrossEntropy likelihood = new CrossEntropy();
    private final PriorGroups prior;
    private final AffineAugmentation augmentation;
    private final Optimizer optimizer;
    private final Adam priorAdam;
    private final Adam etaAdam;
    private final int batchesPerEpoch;

    private final List<EpochSummary> history = new ArrayList<>();
    private Map<String, INDArray> bestState;
    private int bestEpoch;
    private double bestLogMarglik = Double.NaN;
    private int epochsDone;

    /**
     * @param network a classifier for the data's images, output N x classes (its parameters are trained in place)
     * @param train   the training set
     * @param options training options
     */
    public OnlineMarglikTrainer(Network network, ImageDataset train, OnlineMarglikOptions options) {
        this.network = Objects.requireNonNull(network, "network");
        this.train = Objects.requireNonNull(train, "train");
        this.options = Objects.requireNonNull(options, "options");
        if (train.size() == 0) {
            throw new IllegalArgumentException("training set '" + train.name() + "' is empty");
        }
        if (train.images().dataType() != network.dataType()) {
            throw new IllegalArgumentException("training images are " + train.images().dataType()
                    + " but the network is " + network.dataType());
        }
        this.prior = new PriorGroups(network, options.priorStructure(), options.initialPriorPrecision());
        double[] eta = new double[AffineGenerator.COUNT];
        for (AffineGenerator g : options.augmentedGenerators()) {
            eta[g.ordinal()] = options.initialAugmentation();
        }
        this.augmentation = options.learnsAugmentation() ? new AffineAugmentation(eta) : null;
        this.batchesPerEpoch = (train.size() + options.batchSize() - 1) / options.batchSize();
        long totalSteps = (long) batchesPerEpoch * options.epochs();
        LearningRateSchedule schedule = switch (options.schedule()) {
            case COSINE -> new CosineSchedule(options.learningRate(), totalSteps);
            case STEP -> new StepSchedule(options.learningRate(), Math.max(1, Math.round(0.3 * totalSteps)), 0.2);
            case CONSTANT -> new ConstantSchedule(options.learningRate());
        };
        this.optimizer = switch (options.optimizer()) {
            case SGD -> Sgd.builder().schedule(schedule).momentum(options.momentum()).build();
            case ADAM -> Adam.builder().schedule(schedule).build();
        };
        this.priorAdam = Adam.builder().learningRate(options.hyperLearningRate()).build();
        this.etaAdam = Adam.builder().learningRate(options.augmentationLearningRate()).build();
    }

    /** The prior groups (current precisions). */
    public PriorGroups prior() {
        return prior;
    }

    /** The learned augmentation, or null when augmentation is not learned. */
    public AffineAugmentation augmentation() {
        return augmentation;
    }

    /** Epochs completed so far (including those restored from a checkpoint). */
    public int epochsDone() {
        return epochsDone;
    }

    /** Trains without checkpoints. */
    public TrainingResult train(TrainingListener listener) {
        try {
            return train(null, false, listener);
        } catch (IOException e) {
            throw new IllegalStateException("unreachable: no checkpoint file is used", e);
        }
    }

    /**
     * Trains for the remaining epochs.
     *
     * @param checkpoint file written atomically after every epoch (null for none)
     * @param resume     continue from {@code checkpoint} (which must exist and come from the same options)
     * @param listener   progress callbacks
     * @throws IOException when the checkpoint cannot be read or written
     */
    public TrainingResult train(Path checkpoint, boolean resume, TrainingListener listener) throws IOException {
        if (resume) {
            if (checkpoint == null) {
                throw new IllegalArgumentException("resume needs a checkpoint file");
            }
            restore(CheckpointFile.read(checkpoint), checkpoint);
        }
        for (int epoch = epochsDone + 1; epoch <= options.epochs(); epoch++) {
            EpochSummary summary = runEpoch(epoch, listener);
            history.add(summary);
            epochsDone = epoch;
            if (checkpoint != null) {
                CheckpointFile.write(checkpoint, checkpointData());
            }
            listener.epochFinished(summary);
        }
        if (bestState == null) {
            bestState = NetworkState.capture(network);
            bestEpoch = epochsDone;
        } else {
            NetworkState.restore(network, bestState);
        }
        return new TrainingResult(Collections.unmodifiableList(new ArrayList<>(history)), bestEpoch, bestLogMarglik,
                bestState, prior.precisions(), augmentation == null ? new double[0] : augmentation.eta());
    }

    private EpochSummary runEpoch(int epoch, TrainingListener listener) {
        long start = System.nanoTime();
        SplittableRandom random = stream(epoch, STREAM_TRAIN);
        int[] order = SeededShuffle.permutation(train.size(), random);
        int s = options.learnsAugmentation() ? options.augmentationSamples() : 1;
        listener.epochStarted(epoch, batchesPerEpoch);
        double lossSum = 0;
        long correct = 0;
        double lastRate = optimizer.learningRate();
        for (int b = 0; b < batchesPerEpoch; b++) {
            int from = b * options.batchSize();
            int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(train.size(), from + options.batchSize()));
            ImageDataset batch = train.subset(idx);
            network.zeroGrad();
            double loss;
            AugmentationNoise noise = s > 1 ? AugmentationNoise.draw(idx.length, s, random) : null;
            try (StepWorkspace ignored = StepWorkspace.open(TRAIN_WORKSPACE)) {
                INDArray labels = labels(batch);
                INDArray f = s > 1
                        ? InvariantModel.average(network.forward(augmentation.apply(batch.images(), noise),
                                Mode.TRAIN), s)
                        : network.forward(batch.images(), Mode.TRAIN);
                loss = likelihood.loss(f, labels, Reduction.MEAN);
                INDArray grad = likelihood.gradient(f, labels, Reduction.MEAN);
                network.backward(s > 1 ? InvariantModel.spread(grad, s, 1) : grad, BackwardContext.training());
                correct += countCorrect(f, batch.labels());
            }
            prior.addPriorGradient(train.size());
            lastRate = optimizer.learningRate();
            optimizer.step(network);
            lossSum += loss * idx.length;
            listener.batchFinished(epoch, b, loss);
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        double logMarglik = Double.NaN;
        double marglikSeconds = 0;
        if (options.marglikEpoch(epoch)) {
            long t0 = System.nanoTime();
            // the curvature pass and the augmentation gradient need their own memory; the training steps' arena is
            // rebuilt by the next epoch
            StepWorkspace.release(TRAIN_WORKSPACE);
            logMarglik = marglikUpdate(epoch, listener);
            marglikSeconds = (System.nanoTime() - t0) / 1e9;
            if (Double.isNaN(bestLogMarglik) || logMarglik > bestLogMarglik) {
                bestLogMarglik = logMarglik;
                bestEpoch = epoch;
                bestState = NetworkState.capture(network);
            }
        }
        return new EpochSummary(epoch, lossSum / train.size(), (double) correct / train.size(), lastRate, logMarglik,
                prior.precisions(), augmentation == null ? new double[0] : augmentation.magnitudes(), trainSeconds,
                marglikSeconds);
    }

    /** Fits K-FAC at the current weights and runs the hyper-steps; returns the final log marginal likelihood. */
    private double marglikUpdate(int epoch, TrainingListener listener) {
        int s = options.learnsAugmentation() ? options.augmentationSamples() : 1;
        SplittableRandom curvatureRandom = stream(epoch, STREAM_CURVATURE);
        KfacEstimator estimator = new KfacEstimator(network, likelihood, KfacOptions.builder()
                .flavour(options.flavour()).curvatureType(options.curvatureType()).mcSamples(options.mcSamples())
                .sharedRowsPerExample(s).seed(curvatureRandom.nextLong()).build());
        int batches = (train.size() + options.curvatureBatchSize() - 1) / options.curvatureBatchSize();
        listener.marglikStarted(epoch, batches, options.hypersteps());
        double lossSum = 0;
        for (int b = 0; b < batches; b++) {
            int from = b * options.curvatureBatchSize();
            int to = Math.min(train.size(), from + options.curvatureBatchSize());
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            ImageDataset batch = train.subset(idx);
            INDArray labels = labels(batch);
            INDArray inputs = s > 1
                    ? augmentation.apply(batch.images(), AugmentationNoise.draw(idx.length, s, curvatureRandom))
                    : batch.images();
            INDArray f = InvariantModel.average(estimator.accumulate(inputs, labels), s);
            lossSum += likelihood.loss(f, labels, Reduction.SUM);
            listener.curvatureBatchFinished(epoch, b);
        }
        estimator.releaseWorkspace();
        KronMarginalLikelihood marglik = KronMarginalLikelihood.fit(network, estimator.factors(), -lossSum, prior);
        SplittableRandom hyperRandom = stream(epoch, STREAM_HYPER);
        AugmentationMarglikGradient etaGradient = options.learnsAugmentation()
                ? new AugmentationMarglikGradient(network, likelihood, options.flavour(), options.curvatureType())
                : null;
        double[] logDelta = prior.logPrecisions();
        for (int step = 0; step < options.hypersteps(); step++) {
            MarglikValue value = marglik.evaluate(logDelta);
            if (etaGradient != null && step < options.augmentationHypersteps()) {
                int m = Math.min(options.augmentationBatchSize(), train.size());
                int[] idx = java.util.Arrays.copyOf(SeededShuffle.permutation(train.size(), hyperRandom), m);
                ImageDataset batch = train.subset(idx);
                double[] g = etaGradient.compute(marglik, logDelta, augmentation,
                        AugmentationNoise.draw(m, s, hyperRandom), batch.images(), labels(batch), train.size());
                double[] eta = augmentation.eta();
                for (AffineGenerator gen : AffineGenerator.values()) {
                    if (!options.augmentedGenerators().contains(gen)) {
                        g[gen.ordinal()] = 0;
                    }
                }
                etaAdam.step(eta, negate(g));
                augmentation.setEta(eta);
            }
            priorAdam.step(logDelta, negate(value.logPriorGradient()));
            prior.setLogPrecisions(logDelta);
            listener.hyperstepFinished(epoch, step, value.value());
        }
        StepWorkspace.release(AugmentationMarglikGradient.WORKSPACE);
        return marglik.evaluate(logDelta).value();
    }

    private SplittableRandom stream(int epoch, int purpose) {
        long z = options.seed() + 0x9E3779B97F4A7C15L * epoch + 0xBF58476D1CE4E5B9L * purpose;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }

    private static INDArray labels(ImageDataset batch) {
        long[] y = new long[batch.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = batch.label(i);
        }
        return Nd4j.createFromArray(y);
    }

    private static long countCorrect(INDArray f, int[] labels) {
        long[] predicted = f.argMax(1).toLongVector();
        long c = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                c++;
            }
        }
        return c;
    }

    private static double[] negate(double[] g) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = -g[i];
        }
        return out;
    }

    private CheckpointData checkpointData() {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("formatVersion", FORMAT_VERSION);
        meta.set("options", JSON.valueToTree(options));
        meta.put("epochsDone", epochsDone);
        meta.put("bestEpoch", bestEpoch);
        meta.put("bestLogMarglik", bestLogMarglik);
        meta.put("hasBest", bestState != null);
        ArrayNode hist = meta.putArray("history");
        history.forEach(h -> hist.add(JSON.valueToTree(h)));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        NetworkState.capture(network).forEach((k, v) -> tensors.put("model/" + k, v));
        if (bestState != null) {
            bestState.forEach((k, v) -> tensors.put("best/" + k, v));
        }
        putOptimizer(tensors, meta, "optim", optimizer.snapshot());
        putOptimizer(tensors, meta, "priorAdam", priorAdam.snapshot());
        putOptimizer(tensors, meta, "etaAdam", etaAdam.snapshot());
        tensors.put("hyper/logDelta", Nd4j.createFromArray(prior.logPrecisions()));
        if (augmentation != null) {
            tensors.put("hyper/eta", Nd4j.createFromArray(augmentation.eta()));
        }
        return new CheckpointData(CHECKPOINT_KIND, meta, tensors);
    }

    private static void putOptimizer(Map<String, INDArray> tensors, ObjectNode meta, String name,
                                     OptimizerSnapshot snapshot) {
        meta.put(name + "Steps", snapshot.steps());
        meta.put(name + "Buffers", snapshot.buffers().size());
        for (int i = 0; i < snapshot.buffers().size(); i++) {
            tensors.put(name + "/" + i, snapshot.buffers().get(i));
        }
    }

    private static OptimizerSnapshot optimizerSnapshot(CheckpointData data, String name) {
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

    private void restore(CheckpointData data, Path file) throws IOException {
        if (!CHECKPOINT_KIND.equals(data.kind())) {
            throw new IllegalArgumentException(file + " is a '" + data.kind() + "' checkpoint, not an online "
                    + "marginal-likelihood training checkpoint");
        }
        JsonNode meta = data.metadata();
        if (meta.path("formatVersion").asInt() != FORMAT_VERSION) {
            throw new IllegalArgumentException(file + " has checkpoint format version "
                    + meta.path("formatVersion").asInt() + ", this version reads " + FORMAT_VERSION);
        }
        OnlineMarglikOptions saved = JSON.treeToValue(meta.get("options"), OnlineMarglikOptions.class);
        if (!saved.equals(options)) {
            throw new IllegalArgumentException("checkpoint " + file + " was written with different training options; "
                    + "resume with the same options.\n  checkpoint: " + saved + "\n  now:        " + options);
        }
        NetworkState.restore(network, data.tensorsWithPrefix("model/"));
        optimizer.restore(optimizerSnapshot(data, "optim"));
        priorAdam.restore(optimizerSnapshot(data, "priorAdam"));
        etaAdam.restore(optimizerSnapshot(data, "etaAdam"));
        prior.setLogPrecisions(data.tensor("hyper/logDelta").toDoubleVector());
        if (augmentation != null) {
            augmentation.setEta(data.tensor("hyper/eta").toDoubleVector());
        }
        history.clear();
        for (JsonNode h : meta.get("history")) {
            history.add(JSON.treeToValue(h, EpochSummary.class));
        }
        epochsDone = meta.get("epochsDone").asInt();
        bestEpoch = meta.get("bestEpoch").asInt();
        bestLogMarglik = meta.get("bestLogMarglik").asDouble();
        bestState = meta.get("hasBest").asBoolean() ? new LinkedHashMap<>(data.tensorsWithPrefix("best/")) : null;
        if (bestState != null) {
            bestState.replaceAll((k, v) -> v.castTo(network.dataType()));
        }
    }

    /** The network's data type, for callers that prepare data. */
    public DataType dataType() {
        return network.dataType();
    }
}
