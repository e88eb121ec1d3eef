package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.laplace.LikelihoodType;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Options of {@link OnlineMarglikTrainer}. The defaults are the CIFAR-10 setting of Immer et al. (2021): 100 epochs,
 * batch 128, SGD with learning rate 0.1 (momentum 0.9) and cosine decay, marginal-likelihood updates every F = 5
 * epochs after a burn-in of B = 20 epochs with K = 100 Adam steps (learning rate 0.1) on layer-wise log prior
 * precisions, K-FAC-reduce; no learned augmentation. The curvature defaults to the Monte Carlo Fisher with one sampled
 * label per example, K-FAC's usual estimator: the exact GGN back-propagates one vector per class (ten for CIFAR-10),
 * which makes every curvature pass several times dearer than a training epoch; it stays selectable.
 *
 * @param epochs                   training epochs, >= 1
 * @param batchSize                examples per optimiser step, >= 1
 * @param optimizer                optimiser of the weights
 * @param learningRate             initial learning rate of the weights, > 0
 * @param momentum                 SGD momentum in [0, 1) (ignored by Adam)
 * @param schedule                 learning-rate schedule
 * @param marglikFrequency         F: marginal-likelihood updates every F epochs, >= 1
 * @param burnIn                   B: no update before epoch B (1-based; updates at epochs e >= B with e % F == 0)
 * @param hypersteps               K: Adam steps on the hyperparameters per update, >= 0
 * @param hyperLearningRate        Adam learning rate of the log prior precisions, > 0
 * @param augmentationLearningRate Adam learning rate of the log augmentation magnitudes log |eta|, > 0 (a step
 *                                 changes a magnitude by a factor of about exp(+-rate))
 * @param priorStructure           scalar or layer-wise prior precision
 * @param initialPriorPrecision    delta at the start, > 0
 * @param flavour                  K-FAC flavour (REDUCE default; EXPAND selectable)
 * @param curvatureType            exact GGN, MC Fisher or empirical Fisher
 * @param mcSamples                sampled labels per example for the MC Fisher, >= 1
 * @param augmentationSamples      S augmented copies per example; 0 or 1 = no learned augmentation
 * @param curvatureBatchSize       examples per batch of the curvature pass, >= 1
 * @param augmentationBatchSize    examples per hyper-step of the augmentation gradient, >= 1
 * @param augmentationHypersteps   how many of the K hyper-steps also step eta (each costs one augmentation-gradient
 *                                 batch: a forward, two backward and six forward-mode passes), >= 0
 * @param augmentedGenerators      the affine generators whose magnitudes are learned; the others stay at 0 (no
 *                                 augmentation along them)
 * @param initialAugmentation      starting value of every learned eta component (|eta| is the augmentation
 *                                 magnitude); not 0 when augmentation is learned, because the magnitudes are stepped
 *                                 in log space (0 is also a stationary point of the expected objective)
 * @param likelihood               classification (cross-entropy on logits, default), regression (Gaussian with
 *                                 observation noise sigma learned by the marginal likelihood alongside the prior) or
 *                                 binary (multi-label binary cross-entropy on logits, missing labels masked)
 * @param initialSigma             sigma at the start, finite and > 0; 1 for classification and binary (default 1)
 * @param hyperTolerance           convergence tolerance of the prior (and sigma) hyper-steps, finite and >= 0: an
 *                                 update stops its hyper-steps once one step changes the log marginal likelihood by
 *                                 at most {@code hyperTolerance * |log marginal likelihood|}; 0 always takes all K
 *                                 steps (default 1e-5; see docs/online-training.md, section Convergence of the
 *                                 hyper-steps)
 * @param seed                     seed of shuffling, augmentation noise and label sampling
 * @param dataSource               where the training data come from, as {@code ; }-separated {@code name=value}
 *                                 items (e.g. {@code source=synthetic; --train-size=1000; --data-seed=1}); not used by
 *                                 training, but part of the options so that a resumed run refuses other data
 *                                 (empty when not stated)
 */
public record OnlineMarglikOptions(int epochs, int batchSize, OptimizerKind optimizer, double learningRate,
                                   double momentum, ScheduleKind schedule, int marglikFrequency, int burnIn,
                                   int hypersteps, double hyperLearningRate, double augmentationLearningRate,
                                   PriorStructure priorStructure, double initialPriorPrecision, KfacFlavour flavour,
                                   CurvatureType curvatureType, int mcSamples, int augmentationSamples,
                                   int curvatureBatchSize, int augmentationBatchSize, int augmentationHypersteps,
                                   Set<AffineGenerator> augmentedGenerators, double initialAugmentation,
                                   LikelihoodType likelihood, double initialSigma, double hyperTolerance,
                                   long seed, String dataSource)
        implements java.io.Serializable {

    /**
     * Validates the options.
     *
     * @param epochs                   training epochs, >= 1
     * @param batchSize                examples per optimiser step, >= 1
     * @param optimizer                optimiser of the weights
     * @param learningRate             initial learning rate of the weights, > 0
     * @param momentum                 SGD momentum in [0, 1) (ignored by Adam)
     * @param schedule                 learning-rate schedule
     * @param marglikFrequency         F: marginal-likelihood updates every F epochs, >= 1
     * @param burnIn                   B: no update before epoch B (1-based)
     * @param hypersteps               K: Adam steps on the hyperparameters per update, >= 0
     * @param hyperLearningRate        Adam learning rate of the log prior precisions, > 0
     * @param augmentationLearningRate Adam learning rate of the log augmentation magnitudes, > 0
     * @param priorStructure           scalar or layer-wise prior precision
     * @param initialPriorPrecision    delta at the start, > 0
     * @param flavour                  K-FAC flavour
     * @param curvatureType            exact GGN, MC Fisher or empirical Fisher
     * @param mcSamples                sampled labels per example for the MC Fisher, >= 1
     * @param augmentationSamples      S augmented copies per example; 0 or 1 = no learned augmentation
     * @param curvatureBatchSize       examples per batch of the curvature pass, >= 1
     * @param augmentationBatchSize    examples per hyper-step of the augmentation gradient, >= 1
     * @param augmentationHypersteps   how many of the K hyper-steps also step the augmentation magnitudes, >= 0
     * @param augmentedGenerators      the affine generators whose magnitudes are learned
     * @param initialAugmentation      starting value of every learned augmentation magnitude, not 0 when learned
     * @param likelihood               classification, regression or binary
     * @param initialSigma             sigma at the start, finite and > 0; 1 for classification and binary
     * @param hyperTolerance           convergence tolerance of the hyper-steps, finite and >= 0
     * @param seed                     seed of shuffling, augmentation noise and label sampling
     * @param dataSource               where the training data come from, as {@code ; }-separated {@code name=value}
     *                                 items compared when a checkpoint is resumed; null reads as empty (not stated)
     * @throws NullPointerException     when a required option is null
     * @throws IllegalArgumentException when an option is out of range or options contradict each other
     */
    public OnlineMarglikOptions {
        dataSource = dataSource == null ? "" : dataSource;
        positive(epochs, "epochs");
        positive(batchSize, "batch size");
        Objects.requireNonNull(optimizer, "optimizer");
        positive(learningRate, "learning rate");
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        Objects.requireNonNull(schedule, "schedule");
        positive(marglikFrequency, "marginal-likelihood frequency F");
        if (burnIn < 0) {
            throw new IllegalArgumentException("burn-in B must be >= 0 epochs, got " + burnIn);
        }
        if (hypersteps < 0) {
            throw new IllegalArgumentException("hypersteps K must be >= 0, got " + hypersteps);
        }
        positive(hyperLearningRate, "hyper learning rate");
        positive(augmentationLearningRate, "augmentation learning rate");
        Objects.requireNonNull(priorStructure, "priorStructure");
        positive(initialPriorPrecision, "initial prior precision");
        Objects.requireNonNull(flavour, "flavour");
        Objects.requireNonNull(curvatureType, "curvatureType");
        positive(mcSamples, "MC samples");
        if (augmentationSamples < 0) {
            throw new IllegalArgumentException("augmentation samples S must be >= 0, got " + augmentationSamples);
        }
        positive(curvatureBatchSize, "curvature batch size");
        positive(augmentationBatchSize, "augmentation batch size");
        if (augmentationHypersteps < 0) {
            throw new IllegalArgumentException("augmentation hypersteps must be >= 0, got " + augmentationHypersteps);
        }
        augmentedGenerators = Collections.unmodifiableSet(EnumSet.copyOf(Objects.requireNonNull(augmentedGenerators,
                "augmentedGenerators").isEmpty() ? EnumSet.noneOf(AffineGenerator.class) : augmentedGenerators));
        if (!Double.isFinite(initialAugmentation)) {
            throw new IllegalArgumentException("initial augmentation must be finite, got " + initialAugmentation);
        }
        if (augmentationSamples > 1 && !augmentedGenerators.isEmpty() && initialAugmentation == 0) {
            throw new IllegalArgumentException("initial augmentation must not be 0 when augmentation is learned: the "
                    + "magnitudes are stepped in log space (start at e.g. 0.1)");
        }
        Objects.requireNonNull(likelihood, "likelihood");
        positive(initialSigma, "initial observation noise sigma");
        if (!likelihood.hasObservationNoise() && initialSigma != 1.0) {
            throw new IllegalArgumentException(likelihood.name().toLowerCase(java.util.Locale.ROOT) + " has no "
                    + "observation noise: initial sigma must be 1, got " + initialSigma);
        }
        if (!(hyperTolerance >= 0) || !Double.isFinite(hyperTolerance)) {
            throw new IllegalArgumentException("hyper-step tolerance must be finite and >= 0, got " + hyperTolerance);
        }
        if (likelihood != LikelihoodType.CLASSIFICATION && augmentationSamples > 1) {
            throw new IllegalArgumentException("learned augmentation (S = " + augmentationSamples + " samples) is "
                    + "implemented for image classification; use S = 0 for "
                    + likelihood.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * Whether augmentation parameters are learned (S > 1).
     *
     * @return true when S > 1
     */
    public boolean learnsAugmentation() {
        return augmentationSamples > 1;
    }

    /**
     * Whether epoch {@code epoch} (1-based) ends with a marginal-likelihood update.
     *
     * @param epoch the epoch number, 1-based
     * @return true when the epoch is at least the burn-in B and a multiple of the frequency F
     */
    public boolean marglikEpoch(int epoch) {
        return epoch >= burnIn && epoch % marglikFrequency == 0;
    }

    /**
     * The paper's defaults (see the class comment).
     *
     * @return the default options
     */
    public static OnlineMarglikOptions defaults() {
        return builder().build();
    }

    /**
     * A builder with the paper's defaults (see the class comment).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return a builder holding every field of these options
     */
    public Builder toBuilder() {
        return new Builder().epochs(epochs).batchSize(batchSize).optimizer(optimizer).learningRate(learningRate)
                .momentum(momentum).schedule(schedule).marglikFrequency(marglikFrequency).burnIn(burnIn)
                .hypersteps(hypersteps).hyperLearningRate(hyperLearningRate)
                .augmentationLearningRate(augmentationLearningRate).priorStructure(priorStructure)
                .initialPriorPrecision(initialPriorPrecision).flavour(flavour).curvatureType(curvatureType)
                .mcSamples(mcSamples).augmentationSamples(augmentationSamples).curvatureBatchSize(curvatureBatchSize)
                .augmentationBatchSize(augmentationBatchSize).augmentationHypersteps(augmentationHypersteps)
                .augmentedGenerators(augmentedGenerators).initialAugmentation(initialAugmentation)
                .likelihood(likelihood).initialSigma(initialSigma).hyperTolerance(hyperTolerance).seed(seed)
                .dataSource(dataSource);
    }

    private static void positive(double v, String what) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
        }
    }

    /** Builder of {@link OnlineMarglikOptions}; unset fields keep the paper's defaults. */
    public static final class Builder {
        private int epochs = 100;
        private int batchSize = 128;
        private OptimizerKind optimizer = OptimizerKind.SGD;
        private double learningRate = 0.1;
        private double momentum = 0.9;
        private ScheduleKind schedule = ScheduleKind.COSINE;
        private int marglikFrequency = 5;
        private int burnIn = 20;
        private int hypersteps = 100;
        private double hyperLearningRate = 0.1;
        private double augmentationLearningRate = 0.05;
        private PriorStructure priorStructure = PriorStructure.LAYERWISE;
        private double initialPriorPrecision = 1.0;
        private KfacFlavour flavour = KfacFlavour.REDUCE;
        private CurvatureType curvatureType = CurvatureType.MC_FISHER;
        private int mcSamples = 1;
        private int augmentationSamples = 0;
        private int curvatureBatchSize = 128;
        private int augmentationBatchSize = 32;
        private int augmentationHypersteps = 20;
        private Set<AffineGenerator> augmentedGenerators = EnumSet.allOf(AffineGenerator.class);
        private double initialAugmentation = 0.1;
        private LikelihoodType likelihood = LikelihoodType.CLASSIFICATION;
        private double initialSigma = 1.0;
        private double hyperTolerance = 1e-5;
        private long seed = 0;
        private String dataSource = "";

        private Builder() {
        }

        /**
         * Training epochs (default 100).
         *
         * @param v training epochs, >= 1
         * @return this builder
         */
        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /**
         * Examples per optimiser step (default 128).
         *
         * @param v examples per step, >= 1
         * @return this builder
         */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /**
         * Optimiser of the weights (default SGD).
         *
         * @param v the optimiser
         * @return this builder
         */
        public Builder optimizer(OptimizerKind v) {
            optimizer = v;
            return this;
        }

        /**
         * Initial learning rate of the weights (default 0.1).
         *
         * @param v the learning rate, > 0
         * @return this builder
         */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /**
         * SGD momentum (default 0.9; ignored by Adam).
         *
         * @param v the momentum, in [0, 1)
         * @return this builder
         */
        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        /**
         * Learning-rate schedule (default COSINE).
         *
         * @param v the schedule
         * @return this builder
         */
        public Builder schedule(ScheduleKind v) {
            schedule = v;
            return this;
        }

        /**
         * Epochs F between marginal-likelihood updates (default 5).
         *
         * @param v F, >= 1
         * @return this builder
         */
        public Builder marglikFrequency(int v) {
            marglikFrequency = v;
            return this;
        }

        /**
         * Burn-in B: the first epoch that may end with an update (default 20).
         *
         * @param v B, 1-based
         * @return this builder
         */
        public Builder burnIn(int v) {
            burnIn = v;
            return this;
        }

        /**
         * Adam steps K on the hyperparameters per update (default 100).
         *
         * @param v K, >= 0
         * @return this builder
         */
        public Builder hypersteps(int v) {
            hypersteps = v;
            return this;
        }

        /**
         * Adam learning rate of the log prior precisions (default 0.1).
         *
         * @param v the learning rate, > 0
         * @return this builder
         */
        public Builder hyperLearningRate(double v) {
            hyperLearningRate = v;
            return this;
        }

        /**
         * Adam learning rate of the log augmentation magnitudes (default 0.05).
         *
         * @param v the learning rate, > 0
         * @return this builder
         */
        public Builder augmentationLearningRate(double v) {
            augmentationLearningRate = v;
            return this;
        }

        /**
         * Scalar or layer-wise prior precision (default LAYERWISE).
         *
         * @param v the prior structure
         * @return this builder
         */
        public Builder priorStructure(PriorStructure v) {
            priorStructure = v;
            return this;
        }

        /**
         * Prior precision delta at the start (default 1).
         *
         * @param v delta, > 0
         * @return this builder
         */
        public Builder initialPriorPrecision(double v) {
            initialPriorPrecision = v;
            return this;
        }

        /**
         * K-FAC flavour (default REDUCE).
         *
         * @param v the flavour
         * @return this builder
         */
        public Builder flavour(KfacFlavour v) {
            flavour = v;
            return this;
        }

        /**
         * Curvature of the marginal-likelihood updates (default MC_FISHER).
         *
         * @param v the curvature type
         * @return this builder
         */
        public Builder curvatureType(CurvatureType v) {
            curvatureType = v;
            return this;
        }

        /**
         * Sampled labels per example for the MC Fisher (default 1).
         *
         * @param v the number of samples, >= 1
         * @return this builder
         */
        public Builder mcSamples(int v) {
            mcSamples = v;
            return this;
        }

        /**
         * Augmented copies S per example (default 0: no learned augmentation).
         *
         * @param v S, >= 0
         * @return this builder
         */
        public Builder augmentationSamples(int v) {
            augmentationSamples = v;
            return this;
        }

        /**
         * Examples per batch of the curvature pass (default 128).
         *
         * @param v the batch size, >= 1
         * @return this builder
         */
        public Builder curvatureBatchSize(int v) {
            curvatureBatchSize = v;
            return this;
        }

        /**
         * Examples per hyper-step of the augmentation gradient (default 32).
         *
         * @param v the batch size, >= 1
         * @return this builder
         */
        public Builder augmentationBatchSize(int v) {
            augmentationBatchSize = v;
            return this;
        }

        /**
         * How many of the K hyper-steps also step the augmentation magnitudes (default 20).
         *
         * @param v the number of steps, >= 0
         * @return this builder
         */
        public Builder augmentationHypersteps(int v) {
            augmentationHypersteps = v;
            return this;
        }

        /**
         * Affine generators whose magnitudes are learned (default all).
         *
         * @param v the generators
         * @return this builder
         */
        public Builder augmentedGenerators(Set<AffineGenerator> v) {
            augmentedGenerators = v;
            return this;
        }

        /**
         * Starting value of every learned augmentation magnitude (default 0.1).
         *
         * @param v the magnitude, not 0 when augmentation is learned
         * @return this builder
         */
        public Builder initialAugmentation(double v) {
            initialAugmentation = v;
            return this;
        }

        /**
         * Classification, regression or binary (default CLASSIFICATION).
         *
         * @param v the likelihood
         * @return this builder
         */
        public Builder likelihood(LikelihoodType v) {
            likelihood = v;
            return this;
        }

        /**
         * Observation noise sigma at the start (default 1).
         *
         * @param v sigma, finite and > 0; 1 for classification and binary
         * @return this builder
         */
        public Builder initialSigma(double v) {
            initialSigma = v;
            return this;
        }

        /**
         * Convergence tolerance of the hyper-steps (default 1e-5).
         *
         * @param v the tolerance, finite and >= 0
         * @return this builder
         */
        public Builder hyperTolerance(double v) {
            hyperTolerance = v;
            return this;
        }

        /**
         * Seed of shuffling, augmentation noise and label sampling (default 0).
         *
         * @param v the seed
         * @return this builder
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * Sets where the training data come from (see the record's {@code dataSource}).
         *
         * @param v {@code ; }-separated {@code name=value} items, or empty
         * @return this builder
         */
        public Builder dataSource(String v) {
            dataSource = Objects.requireNonNull(v, "dataSource");
            return this;
        }

        /**
         * The options; validates every field.
         *
         * @return the validated options
         * @throws NullPointerException     when a required option is null
         * @throws IllegalArgumentException when an option is out of range or options contradict each other
         */
        public OnlineMarglikOptions build() {
            return new OnlineMarglikOptions(epochs, batchSize, optimizer, learningRate, momentum, schedule,
                    marglikFrequency, burnIn, hypersteps, hyperLearningRate, augmentationLearningRate, priorStructure,
                    initialPriorPrecision, flavour, curvatureType, mcSamples, augmentationSamples, curvatureBatchSize,
                    augmentationBatchSize, augmentationHypersteps, augmentedGenerators, initialAugmentation, likelihood,
                    initialSigma, hyperTolerance, seed, dataSource);
        }
    }
}
