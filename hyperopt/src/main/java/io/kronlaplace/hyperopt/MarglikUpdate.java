package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.laplace.FitStatistics;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.MarginalLikelihood;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.optim.Adam;
import io.kronlaplace.validation.data.SeededShuffle;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The marginal-likelihood update of online training (see docs/online-training.md, section The update): a curvature
 * pass over the training set at the current weights, a {@link KronLaplace} built from its factors, then K Adam steps
 * on the log hyperparameters with the posterior's closed-form gradients at each step's values and, with learned
 * augmentation, Adam steps on log |eta| with {@link AugmentationMarglikGradient} followed by a fresh fit at the
 * stepped eta. The posterior is never mutated: each step evaluates it at the hyperparameters of that step.
 */
final class MarglikUpdate {
    private final Network network;
    private final SupervisedDataset<?> train;
    private final OnlineMarglikOptions options;
    private final LogHyperparameters layout;
    private final AffineAugmentation augmentation;
    private final Adam hyperAdam;
    private final Adam etaAdam;
    /** Runs the curvature pass elsewhere; null when it runs in this JVM. */
    private final DistributedTraining distributed;

    /**
     * @param augmentation the learned augmentation, or null without one
     * @param distributed  runs the curvature pass elsewhere (without learned augmentation), or null for this JVM
     */
    MarglikUpdate(Network network, SupervisedDataset<?> train, OnlineMarglikOptions options, LogHyperparameters layout,
                  AffineAugmentation augmentation, DistributedTraining distributed) {
        this.network = network;
        this.train = train;
        this.options = options;
        this.layout = layout;
        this.augmentation = augmentation;
        this.hyperAdam = Optimizers.forHyperparameters(options.hyperLearningRate());
        this.etaAdam = Optimizers.forHyperparameters(options.augmentationLearningRate());
        this.distributed = distributed;
    }

    /** Adam of the log hyperparameters (its state is checkpointed). */
    Adam hyperAdam() {
        return hyperAdam;
    }

    /** Adam of eta (its state is checkpointed). */
    Adam etaAdam() {
        return etaAdam;
    }

    private int samples() {
        return options.learnsAugmentation() ? options.augmentationSamples() : 1;
    }

    private int curvatureBatches() {
        return (train.size() + options.curvatureBatchSize() - 1) / options.curvatureBatchSize();
    }

    /**
     * The posterior at the current weights from one curvature pass over the training set in stored order; with S
     * augmented copies per example they are K-FAC's shared rows and the data term is that of their averaged outputs.
     *
     * @param hyper the log hyperparameters the posterior starts from
     */
    KronLaplace fitPosterior(int epoch, double[] hyper, TrainingListener listener) {
        int s = samples();
        SplittableRandom random = RandomStreams.of(options.seed(), epoch, RandomStreams.CURVATURE);
        LikelihoodType type = options.likelihood();
        LaplaceOptions laplace = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).likelihood(type).prior(layout.prior(hyper))
                .sigma(layout.sigma(hyper)).flavour(options.flavour()).curvatureType(options.curvatureType())
                .mcSamples(options.mcSamples()).sharedRowsPerExample(s).build();
        long labelSeed = random.nextLong();
        int batchSize = options.curvatureBatchSize();
        int batches = curvatureBatches();
        if (distributed != null) {
            KronLaplace posterior = distributed.curvature(network, laplace, train, batchSize, labelSeed)
                    .posterior(network, laplace);
            for (int b = 0; b < batches; b++) {
                listener.curvatureBatchFinished(epoch, b);
            }
            return posterior;
        }
        KfacEstimator estimator = new KfacEstimator(network, type.curvatureLikelihood(), laplace.kfacOptions(labelSeed));
        FitStatistics statistics = null;
        for (int b = 0; b < batches; b++) {
            int from = b * batchSize;
            int[] idx = new int[Math.min(train.size(), from + batchSize) - from];
            Arrays.setAll(idx, i -> from + i);
            SupervisedDataset<?> batch = train.subset(idx);
            INDArray targets = batch.targets();
            INDArray inputs = s > 1
                    ? augmentation.apply(batch.inputs(), AugmentationNoise.draw(idx.length, s, random))
                    : batch.inputs();
            FitStatistics part = FitStatistics.of(type, estimator.accumulate(inputs, targets), targets, s);
            statistics = statistics == null ? part : statistics.plus(part);
            listener.curvatureBatchFinished(epoch, b);
        }
        estimator.releaseWorkspace();
        Map<String, KronFactors> factors = estimator.factors();
        try {
            return KronLaplace.fromFactors(network, laplace, factors, statistics);
        } finally {
            // this estimator is done: its factors' memory is freed now rather than at garbage collection
            KronFactors.closeAll(factors.values());
            estimator.releaseWorkspace();
        }
    }

    /**
     * Fits the posterior and runs the hyper-steps (see docs/online-training.md, section The update). With learned
     * augmentation, the first steps also step eta at the factors of the entry eta; the posterior is then fitted again
     * at the stepped eta (same random draws), so that the remaining prior steps and the returned value belong to the
     * state that is kept. The prior steps stop early once one step changes the value by at most
     * {@link OnlineMarglikOptions#hyperTolerance()} times its magnitude.
     *
     * @param hyper the log hyperparameters, stepped in place
     * @return the log marginal likelihood of a posterior fitted at the current weights, the final eta and the final
     *         hyperparameters
     */
    double run(int epoch, double[] hyper, TrainingListener listener) {
        int augmentationSteps = augmentation == null || options.augmentedGenerators().isEmpty() ? 0
                : Math.min(options.augmentationHypersteps(), options.hypersteps());
        listener.marglikStarted(epoch, (augmentationSteps > 0 ? 2 : 1) * curvatureBatches(), options.hypersteps());
        KronLaplace posterior = fitPosterior(epoch, hyper, listener);
        if (augmentationSteps > 0) {
            SplittableRandom random = RandomStreams.of(options.seed(), epoch, RandomStreams.HYPER);
            AugmentationMarglikGradient etaGradient = new AugmentationMarglikGradient(network,
                    options.likelihood().curvatureLikelihood(), options.flavour(), options.curvatureType());
            for (int step = 0; step < augmentationSteps; step++) {
                PriorPrecision prior = layout.prior(hyper);
                MarginalLikelihood value = posterior.marginalLikelihood(prior, layout.sigma(hyper), 1.0);
                double[] before = augmentation.magnitudes();
                double[] gradient = stepAugmentation(posterior, prior, etaGradient, random);
                listener.augmentationStepFinished(epoch, step, before, gradient, augmentation.magnitudes());
                hyperAdam.step(hyper, negate(layout.gradient(value)));
                listener.hyperstepFinished(epoch, step, value.value());
            }
            StepWorkspace.release(AugmentationMarglikGradient.WORKSPACE);
            posterior = fitPosterior(epoch, hyper, listener);
        }
        return stepPrior(epoch, posterior, hyper, augmentationSteps, listener);
    }

    /**
     * Adam steps on the log prior precisions (and log sigma) from step {@code first} to K - 1, stopping once a step
     * changes the value by at most the tolerance times its magnitude.
     *
     * @return the log marginal likelihood at the final hyperparameters
     */
    private double stepPrior(int epoch, KronLaplace posterior, double[] hyper, int first,
                             TrainingListener listener) {
        MarginalLikelihood value = posterior.marginalLikelihood(layout.prior(hyper), layout.sigma(hyper), 1.0);
        for (int step = first; step < options.hypersteps(); step++) {
            hyperAdam.step(hyper, negate(layout.gradient(value)));
            double before = value.value();
            value = posterior.marginalLikelihood(layout.prior(hyper), layout.sigma(hyper), 1.0);
            listener.hyperstepFinished(epoch, step, value.value());
            if (converged(before, value.value(), options.hyperTolerance())) {
                break;
            }
        }
        return value.value();
    }

    /** Whether a step from {@code before} to {@code after} changed the value by at most tolerance times |after|. */
    static boolean converged(double before, double after, double tolerance) {
        return Math.abs(after - before) <= tolerance * Math.abs(after);
    }

    /**
     * One Adam step on the log magnitudes log |eta_k| of the learned generators along the exact gradient on a random
     * mini-batch (chain rule: d/d log|eta_k| = eta_k d/d eta_k); unlearned generators stay at 0. Stepping the log
     * magnitude keeps eta away from 0, a stationary point where a few large steps through it would leave it.
     *
     * @return the gradient d log p(D|M) / d eta of the step, one per generator
     */
    private double[] stepAugmentation(KronLaplace posterior, PriorPrecision prior, AugmentationMarglikGradient gradient,
                                  SplittableRandom random) {
        int m = Math.min(options.augmentationBatchSize(), train.size());
        int[] idx = Arrays.copyOf(SeededShuffle.permutation(train.size(), random), m);
        SupervisedDataset<?> batch = train.subset(idx);
        double[] g = gradient.compute(posterior, prior, augmentation,
                AugmentationNoise.draw(m, samples(), random), batch.inputs(), batch.targets(), train.size());
        double[] eta = augmentation.eta();
        double[] logMagnitude = new double[AffineGenerator.COUNT];
        double[] logGradient = new double[AffineGenerator.COUNT];
        for (AffineGenerator gen : options.augmentedGenerators()) {
            int k = gen.ordinal();
            logMagnitude[k] = Math.log(Math.abs(eta[k]));
            logGradient[k] = -eta[k] * g[k];
        }
        etaAdam.step(logMagnitude, logGradient);
        double[] stepped = new double[AffineGenerator.COUNT];
        for (AffineGenerator gen : options.augmentedGenerators()) {
            stepped[gen.ordinal()] = Math.exp(logMagnitude[gen.ordinal()]);
        }
        augmentation.setEta(stepped);
        return g;
    }

    private static double[] negate(double[] g) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = -g[i];
        }
        return out;
    }
}
