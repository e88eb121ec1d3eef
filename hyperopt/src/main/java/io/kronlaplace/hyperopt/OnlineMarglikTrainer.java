package io.kronlaplace.hyperopt;

import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.hyperopt.checkpoint.CheckpointFile;
import io.kronlaplace.hyperopt.checkpoint.TrainingCheckpoint;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.likelihood.BinaryCrossEntropy;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.optim.Optimizer;
import io.kronlaplace.validation.data.SupervisedDataset;
import io.kronlaplace.validation.data.SeededShuffle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Online marginal-likelihood training (Immer et al. 2021, Algorithm 1) of any network on any supervised data set,
 * for classification (cross-entropy), multi-label binary targets with missing labels (binary cross-entropy, e.g. a
 * graph network on molecules) or regression (Gaussian with learned noise sigma), optionally with learned affine
 * augmentation of image inputs (the invariant model of Immer, van der Ouderaa et al. 2022). See
 * docs/online-training.md:
 * <ul>
 *   <li>every mini-batch: one optimiser step on {@code mean(-log p(y|f)) + (1/(2N)) sum delta o theta^2} (N =
 *       training-set size, one delta per prior group); with S &gt; 1 the model averages the outputs of S augmented
 *       copies;</li>
 *   <li>every F epochs from epoch B on: the {@link MarglikUpdate} (a curvature pass, a Laplace posterior built from
 *       its factors, K Adam steps on the log prior precisions and log sigma, and on eta);</li>
 *   <li>the weights with the best log marginal likelihood are kept and loaded at the end, and returned with the
 *       hyperparameters of the same epoch.</li>
 * </ul>
 * With a checkpoint path, the complete {@link TrainingCheckpoint} is written atomically after every epoch; a resumed
 * run continues bit for bit as the uninterrupted run would have.
 */
public final class OnlineMarglikTrainer {
    /** Checkpoint kind written by this trainer. */
    public static final String CHECKPOINT_KIND = TrainingCheckpoint.KIND;

    private final Network network;
    private final SupervisedDataset<?> train;
    private final OnlineMarglikOptions options;
    private final LogHyperparameters layout;
    private final WeightPrior weightPrior;
    private final AffineAugmentation augmentation;
    private final Optimizer optimizer;
    private final MarglikUpdate update;
    private final TrainingStep step;
    private final int batchesPerEpoch;
    /** Runs steps and curvature passes elsewhere; null when everything runs in this JVM. */
    private final DistributedTraining distributed;

    private double[] hyper;
    private final List<EpochSummary> history = new ArrayList<>();
    private EpochTestEvaluation testEvaluation = EpochTestEvaluation.NONE;
    private Map<String, INDArray> bestState;
    private int bestEpoch;
    private double bestLogMarglik = Double.NaN;
    private int epochsDone;

    /**
     * @param network a model whose outputs for the data's inputs are N x C logits (classification) or predictions
     *                (regression); its parameters are trained in place
     * @param train   the training set: images with class labels, a regression table, or any supervised data set
     * @param options training options
     * @throws IllegalArgumentException for an empty data set, inputs of another floating type than the network, or
     *                                  learned augmentation on inputs that are not images
     */
    public OnlineMarglikTrainer(Network network, SupervisedDataset<?> train, OnlineMarglikOptions options) {
        this(null, network, train, options);
    }

    /**
     * A trainer whose mini-batch steps and curvature passes run through {@code distributed} (e.g. on a cluster); the
     * loop, the hyper-steps, the best weights and the checkpoints stay in this trainer (see docs/spark.md, section
     * Data-parallel training).
     *
     * @param network     a model whose outputs for the data's inputs are N x C logits (classification) or predictions
     *                    (regression); its parameters are trained in place
     * @param train       the training set, which {@code distributed} must be able to reach as well
     * @param options     training options, without learned augmentation
     * @param distributed runs the mini-batch steps and the curvature passes, not null
     * @throws NullPointerException     when {@code distributed} is null
     * @throws IllegalArgumentException as the single-machine constructor, and for learned augmentation, whose
     *                                  per-batch noise the distributed steps and curvature pass do not draw
     */
    public OnlineMarglikTrainer(Network network, SupervisedDataset<?> train, OnlineMarglikOptions options,
                                DistributedTraining distributed) {
        this(Objects.requireNonNull(distributed, "distributed"), network, train, options);
    }

    /** @param distributed null: everything runs in this JVM */
    private OnlineMarglikTrainer(DistributedTraining distributed, Network network, SupervisedDataset<?> train,
                                 OnlineMarglikOptions options) {
        this.network = Objects.requireNonNull(network, "network");
        this.train = Objects.requireNonNull(train, "train");
        this.options = Objects.requireNonNull(options, "options");
        if (train.size() == 0) {
            throw new IllegalArgumentException("training set '" + train.name() + "' is empty");
        }
        if (train.inputs().dataType() != network.dataType()) {
            throw new IllegalArgumentException("training inputs are " + train.inputs().dataType()
                    + " but the network is " + network.dataType());
        }
        if (distributed != null && options.learnsAugmentation()) {
            throw new IllegalArgumentException("distributed training does not learn augmentation (augmentation "
                    + "samples S = " + options.augmentationSamples() + "); use S <= 1");
        }
        if (options.learnsAugmentation() && train.inputs().rank() != 4) {
            throw new IllegalArgumentException("learned augmentation needs image inputs [N, C, H, W]; training set '"
                    + train.name() + "' has inputs of shape " + Arrays.toString(train.inputs().shape()));
        }
        List<String> groups = Laplace.create(network, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build()).groupNames();
        PriorStructure structure = options.priorStructure();
        this.layout = new LogHyperparameters(structure.kind(), structure.size(groups.size()),
                options.likelihood().hasObservationNoise());
        this.hyper = layout.initial(options.initialPriorPrecision(), options.initialSigma());
        this.weightPrior = new WeightPrior(network, groups, options.initialPriorPrecision());
        double[] eta = new double[AffineGenerator.COUNT];
        for (AffineGenerator g : options.augmentedGenerators()) {
            eta[g.ordinal()] = options.initialAugmentation();
        }
        this.augmentation = options.learnsAugmentation() ? new AffineAugmentation(eta) : null;
        this.batchesPerEpoch = (train.size() + options.batchSize() - 1) / options.batchSize();
        this.optimizer = Optimizers.forWeights(options, (long) batchesPerEpoch * options.epochs());
        this.update = new MarglikUpdate(network, train, options, layout, augmentation, distributed);
        this.distributed = distributed;
        this.step = new TrainingStep(network, augmentation);
    }

    /**
     * The current prior precision.
     *
     * @return the prior precision of the covered parameter groups (in the Laplace posterior's group order): scalar or
     *         per group, as the options' prior structure says
     */
    public PriorPrecision prior() {
        return layout.prior(hyper);
    }

    /**
     * The current observation noise.
     *
     * @return sigma, learned for regression; 1 for classification and binary targets
     */
    public double sigma() {
        return layout.sigma(hyper);
    }

    /**
     * The learned augmentation, whose eta the marginal-likelihood updates step.
     *
     * @return the trainer's live augmentation (not a copy), or null when augmentation is not learned
     */
    public AffineAugmentation augmentation() {
        return augmentation;
    }

    /**
     * Sets the held-out evaluation run after every epoch (after its marginal-likelihood update), whose metrics go
     * into the epoch's {@link EpochSummary}; {@link EpochTestEvaluation#NONE} (the default) evaluates nothing.
     *
     * @param evaluation the evaluation
     */
    public void evaluateAfterEachEpoch(EpochTestEvaluation evaluation) {
        this.testEvaluation = Objects.requireNonNull(evaluation, "evaluation");
    }

    /**
     * The progress of training.
     *
     * @return epochs completed so far, including those restored from a checkpoint
     */
    public int epochsDone() {
        return epochsDone;
    }

    /**
     * Trains for the remaining epochs without checkpoints.
     *
     * @param listener progress callbacks ({@link TrainingListener#NONE} for none)
     * @return the history and the best epoch's weights (loaded into the network) and hyperparameters
     */
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
     * @return the history and the best epoch's weights (loaded into the network) and hyperparameters
     * @throws IllegalArgumentException when {@code resume} is set without a checkpoint file, or the checkpoint is of
     *                                  another kind, format version or options
     * @throws IOException              when the checkpoint cannot be read, parsed or written
     */
    public TrainingResult train(Path checkpoint, boolean resume, TrainingListener listener) throws IOException {
        if (resume) {
            if (checkpoint == null) {
                throw new IllegalArgumentException("resume needs a checkpoint file");
            }
            restore(TrainingCheckpoint.decode(CheckpointFile.read(checkpoint), checkpoint, options));
        }
        for (int epoch = epochsDone + 1; epoch <= options.epochs(); epoch++) {
            EpochSummary summary = runEpoch(epoch, listener);
            history.add(summary);
            epochsDone = epoch;
            if (checkpoint != null) {
                CheckpointFile.write(checkpoint, checkpoint().encode());
            }
            listener.epochFinished(summary);
        }
        // the steps' arena (gigabytes for a Wide ResNet on CIFAR-10) would otherwise stay resident through whatever
        // runs next, such as the evaluation of the trained network
        StepWorkspace.release(TrainingStep.WORKSPACE);
        if (bestState == null) {
            bestState = NetworkState.capture(network);
            bestEpoch = epochsDone;
        } else {
            NetworkState.restore(network, bestState);
        }
        // the hyperparameters after the best epoch's update, which its log marginal likelihood was evaluated at
        EpochSummary best = history.get(bestEpoch - 1);
        return new TrainingResult(Collections.unmodifiableList(new ArrayList<>(history)), bestEpoch, bestLogMarglik,
                bestState, best.priorPrecisions(), best.augmentation(), best.sigma());
    }

    private EpochSummary runEpoch(int epoch, TrainingListener listener) {
        long start = System.nanoTime();
        boolean classification = options.likelihood() == LikelihoodType.CLASSIFICATION;
        listener.epochStarted(epoch, batchesPerEpoch);
        EpochSteps steps;
        if (distributed == null) {
            steps = runSteps(epoch, ReplicaGroup.SINGLE, listener);
        } else {
            steps = distributed.steps(this, epoch);
            double[] losses = steps.batchLosses();
            for (int b = 0; b < losses.length; b++) {
                listener.batchFinished(epoch, b, losses[b]);
            }
        }
        double lossSum = steps.lossSum();
        long correct = steps.correct();
        double lastRate = steps.lastRate();
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        double logMarglik = Double.NaN;
        double marglikSeconds = 0;
        if (options.marglikEpoch(epoch)) {
            long t0 = System.nanoTime();
            // the curvature pass and the augmentation gradient need their own memory; the training steps' arena is
            // rebuilt by the next epoch
            StepWorkspace.release(TrainingStep.WORKSPACE);
            logMarglik = update.run(epoch, hyper, listener);
            marglikSeconds = (System.nanoTime() - t0) / 1e9;
            if (Double.isNaN(bestLogMarglik) || logMarglik > bestLogMarglik) {
                bestLogMarglik = logMarglik;
                bestEpoch = epoch;
                bestState = NetworkState.capture(network);
            }
        }
        EpochTestEvaluation.TestMetrics test = testEvaluation.evaluate(network);
        return new EpochSummary(epoch, lossSum / train.size(), classification ? (double) correct / train.size()
                : Double.NaN, lastRate, logMarglik, prior().values(),
                augmentation == null ? new double[0] : augmentation.magnitudes(), trainSeconds, marglikSeconds,
                sigma(), test.accuracy(), test.nll());
    }

    /**
     * The mini-batch steps of one epoch (the epoch's shuffled order, augmentation noise, weight decay and optimiser
     * steps) on this trainer's network. With more than one replica, each replica computes the gradient of its
     * {@link ReplicaGroup#shard} of every mini-batch's rows, weighted by its share of the rows, and all of them step
     * along the gradient summed over the replicas; the step is that of the whole mini-batch up to the order of the
     * additions (see docs/spark.md, section Data-parallel training).
     *
     * @param epoch    the epoch, 1-based
     * @param replicas the replicas taking these steps together ({@link ReplicaGroup#SINGLE} for this JVM alone)
     * @param listener told about every finished mini-batch
     * @return the whole mini-batches' mean losses, their weighted sum, the correct count and the last learning rate
     *         (the same on every replica)
     * @throws IllegalArgumentException for several replicas with learned augmentation
     */
    public EpochSteps runSteps(int epoch, ReplicaGroup replicas, TrainingListener listener) {
        Objects.requireNonNull(replicas, "replicas");
        if (replicas.size() > 1 && options.learnsAugmentation()) {
            throw new IllegalArgumentException("data-parallel steps do not learn augmentation (augmentation samples "
                    + "S = " + options.augmentationSamples() + "); use S <= 1");
        }
        SplittableRandom random = RandomStreams.of(options.seed(), epoch, RandomStreams.TRAIN);
        int[] order = SeededShuffle.permutation(train.size(), random);
        int s = options.learnsAugmentation() ? options.augmentationSamples() : 1;
        boolean classification = options.likelihood() == LikelihoodType.CLASSIFICATION;
        Likelihood likelihood = dataLikelihood();
        PriorPrecision prior = prior();
        double[] losses = new double[batchesPerEpoch];
        double lossSum = 0;
        long correct = 0;
        double lastRate = optimizer.learningRate();
        for (int b = 0; b < batchesPerEpoch; b++) {
            int from = b * options.batchSize();
            int[] idx = Arrays.copyOfRange(order, from, Math.min(train.size(), from + options.batchSize()));
            network.zeroGrad();
            TrainingStep.Outcome outcome;
            if (replicas.size() == 1) {
                AugmentationNoise noise = s > 1 ? AugmentationNoise.draw(idx.length, s, random) : null;
                outcome = step.run(train.subset(idx), noise, likelihood, classification, 1.0);
            } else {
                outcome = replicatedStep(idx, replicas, likelihood, classification);
            }
            correct += outcome.correct();
            weightPrior.addGradient(prior, train.size());
            lastRate = optimizer.learningRate();
            optimizer.step(network);
            losses[b] = outcome.loss();
            lossSum += outcome.loss() * idx.length;
            listener.batchFinished(epoch, b, outcome.loss());
        }
        return new EpochSteps(lossSum, correct, lastRate, losses);
    }

    /** Examples in the training set. */
    int trainSize() {
        return train.size();
    }

    /** Mini-batches in one epoch. */
    int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** The likelihood of the training targets at the current sigma. */
    Likelihood dataLikelihood() {
        return switch (options.likelihood()) {
            case CLASSIFICATION -> new CrossEntropy();
            case REGRESSION -> new Gaussian(sigma());
            case BINARY -> new BinaryCrossEntropy();
        };
    }

    /**
     * This replica's gradient of its rows of the mini-batch {@code idx}, weighted by rows / global rows, summed with
     * the other replicas' into the parameters' gradients; the loss and the correct count are summed the same way.
     */
    private TrainingStep.Outcome replicatedStep(int[] idx, ReplicaGroup replicas, Likelihood likelihood,
                                                boolean classification) {
        int[] shard = replicas.shard(idx.length);
        double weight = (double) (shard[1] - shard[0]) / idx.length;
        double loss = 0;
        long correct = 0;
        if (shard[1] > shard[0]) {
            TrainingStep.Outcome own = step.run(train.subset(Arrays.copyOfRange(idx, shard[0], shard[1])), null,
                    likelihood, classification, weight);
            loss = own.loss() * weight;
            correct = own.correct();
        }
        double[] gradient = network.flatGradients().castTo(DataType.DOUBLE).toDoubleVector();
        double[] message = Arrays.copyOf(gradient, gradient.length + 2);
        message[gradient.length] = loss;
        message[gradient.length + 1] = correct;
        double[] total = replicas.sum(message);
        network.setFlatGradients(Nd4j.createFromArray(Arrays.copyOf(total, gradient.length))
                .castTo(network.dataType()));
        return new TrainingStep.Outcome(total[gradient.length], Math.round(total[gradient.length + 1]));
    }

    /**
     * The state the next epoch's mini-batch steps start from, for replicas that take them elsewhere.
     *
     * @return copies of the network's parameters and buffers, the weight optimiser's state and the log
     *         hyperparameters
     */
    public StepState stepState() {
        return new StepState(NetworkState.capture(network), optimizer.snapshot(), hyper);
    }

    /**
     * Continues from a {@link #stepState()} of a trainer with the same network architecture and options.
     *
     * @param state the state to continue from, not null
     * @throws NullPointerException     when the state is null
     * @throws IllegalArgumentException when the state belongs to another architecture or hyperparameter layout
     */
    public void restoreStepState(StepState state) {
        Objects.requireNonNull(state, "state");
        if (state.logHyperparameters().length != hyper.length) {
            throw new IllegalArgumentException("step state has " + state.logHyperparameters().length
                    + " log hyperparameters, this trainer has " + hyper.length);
        }
        NetworkState.restore(network, state.model());
        optimizer.restore(state.optimizer());
        hyper = state.logHyperparameters();
    }

    private TrainingCheckpoint checkpoint() {
        return new TrainingCheckpoint(options, epochsDone, bestEpoch, bestLogMarglik, List.copyOf(history),
                NetworkState.capture(network), bestState,
                TrainingCheckpoint.optimizers(optimizer.snapshot(), update.hyperAdam().snapshot(),
                        update.etaAdam().snapshot()),
                layout.logPrior(hyper), layout.learnsSigma() ? hyper[layout.priorSize()] : Double.NaN,
                augmentation == null ? null : augmentation.eta());
    }

    private void restore(TrainingCheckpoint saved) {
        NetworkState.restore(network, saved.model());
        optimizer.restore(saved.optimizers().get(TrainingCheckpoint.WEIGHTS));
        update.hyperAdam().restore(saved.optimizers().get(TrainingCheckpoint.HYPER));
        update.etaAdam().restore(saved.optimizers().get(TrainingCheckpoint.ETA));
        hyper = layout.join(saved.logPriorPrecisions(), saved.logSigma());
        if (augmentation != null) {
            augmentation.setEta(saved.eta());
        }
        history.clear();
        history.addAll(saved.history());
        epochsDone = saved.epochsDone();
        bestEpoch = saved.bestEpoch();
        bestLogMarglik = saved.bestLogMarglik();
        bestState = saved.best();
        if (bestState != null) {
            bestState.replaceAll((k, v) -> v.castTo(network.dataType()));
        }
    }
}
