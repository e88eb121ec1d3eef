package io.kronlaplace.hyperopt;

import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain MAP training with early stopping: the mini-batch steps of {@link OnlineMarglikTrainer} (the same optimiser,
 * schedule, shuffling and weight decay {@code delta / N} at the fixed initial prior precision) without its
 * marginal-likelihood updates, and after every epoch the mean negative log-likelihood of a validation split. Training
 * stops once {@code patience} epochs in a row did not improve on the best validation loss, and the network is left
 * at the best epoch's weights.
 *
 * <pre>{@code
 * Split<ImageDataset> split = data.split(0.1, seed);
 * MapTrainer.Result fit = new MapTrainer(network, split.train(), split.validation(),
 *         OnlineMarglikOptions.builder().epochs(50).learningRate(0.05).build(), 5).train(TrainingListener.NONE);
 * }</pre>
 */
public final class MapTrainer {
    /**
     * What MAP training did.
     *
     * @param bestEpoch        the epoch (1-based) whose weights the network holds
     * @param validationLosses mean validation negative log-likelihood after each epoch run, in order
     * @param bestState        the best epoch's parameters and buffers (see {@link NetworkState})
     */
    public record Result(int bestEpoch, double[] validationLosses, Map<String, INDArray> bestState) {
        /**
         * Copies the losses.
         *
         * @param bestEpoch        the best epoch, 1-based
         * @param validationLosses the losses of the epochs run
         * @param bestState        the best epoch's state
         */
        public Result {
            validationLosses = validationLosses.clone();
            bestState = Collections.unmodifiableMap(bestState);
        }

        /**
         * The mean validation loss of every epoch run (a copy).
         *
         * @return one loss per epoch run
         */
        @Override
        public double[] validationLosses() {
            return validationLosses.clone();
        }

        /**
         * The number of epochs run before stopping.
         *
         * @return at most the options' epochs
         */
        public int epochsRun() {
            return validationLosses.length;
        }

        /**
         * The best validation loss, that of {@link #bestEpoch()}.
         *
         * @return the mean validation negative log-likelihood of the kept weights
         */
        public double bestValidationLoss() {
            return validationLosses[bestEpoch - 1];
        }
    }

    private final Network network;
    private final SupervisedDataset<?> validation;
    private final OnlineMarglikOptions options;
    private final int patience;
    private final OnlineMarglikTrainer steps;

    /**
     * A MAP trainer.
     *
     * @param network    the network to train in place
     * @param train      the training set
     * @param validation the validation split that decides when to stop, at least one example
     * @param options    epochs (the most that are run), batch size, optimiser, schedule, seed, likelihood and the
     *                   prior precision of the weight decay ({@code initialPriorPrecision}); the marginal-likelihood
     *                   settings are not used
     * @param patience   epochs without improvement after which training stops, at least 1
     * @throws IllegalArgumentException when patience is below 1, the validation split is empty or the options learn
     *                                  augmentation (which needs the marginal likelihood)
     */
    public MapTrainer(Network network, SupervisedDataset<?> train, SupervisedDataset<?> validation,
                      OnlineMarglikOptions options, int patience) {
        this.network = Objects.requireNonNull(network, "network");
        this.validation = Objects.requireNonNull(validation, "validation");
        this.options = Objects.requireNonNull(options, "options");
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be >= 1 epoch, got " + patience);
        }
        if (validation.size() == 0) {
            throw new IllegalArgumentException("early stopping needs a non-empty validation split");
        }
        if (options.learnsAugmentation()) {
            throw new IllegalArgumentException("MAP training does not learn augmentation (augmentation samples S = "
                    + options.augmentationSamples() + "); use S <= 1 or OnlineMarglikTrainer");
        }
        this.patience = patience;
        this.steps = new OnlineMarglikTrainer(network, train, options);
    }

    /**
     * Trains until the epochs are spent or the validation loss stopped improving, and restores the best weights.
     *
     * @param listener told about every epoch's start and mini-batches, and every finished epoch (whose summary has
     *                 no log marginal likelihood)
     * @return the best epoch, the validation losses and the kept state
     */
    public Result train(TrainingListener listener) {
        List<Double> losses = new ArrayList<>();
        Map<String, INDArray> bestState = null;
        int bestEpoch = 0;
        double best = Double.POSITIVE_INFINITY;
        int batches = steps.batchesPerEpoch();
        for (int epoch = 1; epoch <= options.epochs() && epoch - bestEpoch <= patience; epoch++) {
            long start = System.nanoTime();
            listener.epochStarted(epoch, batches);
            EpochSteps epochSteps = steps.runSteps(epoch, ReplicaGroup.SINGLE, listener);
            double loss = validationLoss();
            losses.add(loss);
            if (loss < best || bestState == null) {
                best = loss;
                bestEpoch = epoch;
                bestState = NetworkState.capture(network);
            }
            int n = steps.trainSize();
            listener.epochFinished(new EpochSummary(epoch, epochSteps.lossSum() / n,
                    classification() ? (double) epochSteps.correct() / n : Double.NaN, epochSteps.lastRate(),
                    Double.NaN, steps.prior().values(), new double[0], (System.nanoTime() - start) / 1e9, 0,
                    steps.sigma(), Double.NaN, Double.NaN));
        }
        NetworkState.restore(network, bestState);
        return new Result(bestEpoch, losses.stream().mapToDouble(Double::doubleValue).toArray(), bestState);
    }

    /**
     * The mean negative log-likelihood of the validation split at the network's current weights (evaluation mode).
     *
     * @return the mean over validation examples
     */
    public double validationLoss() {
        Likelihood likelihood = steps.dataLikelihood();
        double sum = 0;
        for (Iterator<Batch> it = validation.asBatches(options.batchSize()); it.hasNext(); ) {
            Batch b = it.next();
            INDArray f = network.forward(b.inputs(), Mode.EVAL);
            sum += likelihood.loss(f, b.targets(), Reduction.SUM);
        }
        return sum / validation.size();
    }

    private boolean classification() {
        return options.likelihood() == LikelihoodType.CLASSIFICATION;
    }
}
