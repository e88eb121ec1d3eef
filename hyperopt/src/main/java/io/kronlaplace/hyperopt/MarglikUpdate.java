package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.laplace.FitStatistics;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.MarginalLikelihood;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.optim.Adam;
import io.kronlaplace.validation.data.SeededShuffle;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The marginal-likelihood update of online training (see docs/online-training.md, section The update): a curvature
 * pass over the training set at the current weights, a {@link KronLaplace} built from its factors, then K Adam steps
 * on the log hyperparameters with the posterior's closed-form gradients at each step's values and, with learned
 * augmentation, Adam steps on eta with {@link AugmentationMarglikGradient}. The posterior is never mutated: each step
 * evaluates it at the hyperparameters of that step.
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
        LaplaceOptions laplace = LaplaceOptions.builder().likelihood(type).prior(layout.prior(hyper))
                .sigma(layout.sigma(hyper)).flavour(options.flavour()).curvatureType(options.curvatureType())
                .mcSamples(options.mcSamples()).sharedRowsPerExample(s).build();
        long labelSeed = random.nextLong();
        int batchSize = options.curvatureBatchSize();
        int batches = (train.size() + batchSize - 1) / batchSize;
        listener.marglikStarted(epoch, batches, options.hypersteps());
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
        return KronLaplace.fromFactors(network, laplace, estimator.factors(), statistics);
    }

    /**
     * Fits the posterior and runs the hyper-steps.
     *
     * @param hyper the log hyperparameters, stepped in place
     * @return the log marginal likelihood at the final hyperparameters
     */
    double run(int epoch, double[] hyper, TrainingListener listener) {
        KronLaplace posterior = fitPosterior(epoch, hyper, listener);
        SplittableRandom random = RandomStreams.of(options.seed(), epoch, RandomStreams.HYPER);
        AugmentationMarglikGradient etaGradient = augmentation == null ? null : new AugmentationMarglikGradient(
                network, options.likelihood().curvatureLikelihood(), options.flavour(), options.curvatureType());
        for (int step = 0; step < options.hypersteps(); step++) {
            PriorPrecision prior = layout.prior(hyper);
            MarginalLikelihood value = posterior.marginalLikelihood(prior, layout.sigma(hyper), 1.0);
            if (etaGradient != null && step < options.augmentationHypersteps()) {
                stepAugmentation(posterior, prior, etaGradient, random);
            }
            hyperAdam.step(hyper, negate(layout.gradient(value)));
            listener.hyperstepFinished(epoch, step, value.value());
        }
        StepWorkspace.release(AugmentationMarglikGradient.WORKSPACE);
        return posterior.marginalLikelihood(layout.prior(hyper), layout.sigma(hyper), 1.0).value();
    }

    /** One Adam step on eta along the exact gradient on a random mini-batch; unlearned generators stay put. */
    private void stepAugmentation(KronLaplace posterior, PriorPrecision prior, AugmentationMarglikGradient gradient,
                                  SplittableRandom random) {
        int m = Math.min(options.augmentationBatchSize(), train.size());
        int[] idx = Arrays.copyOf(SeededShuffle.permutation(train.size(), random), m);
        SupervisedDataset<?> batch = train.subset(idx);
        double[] g = gradient.compute(posterior, prior, augmentation,
                AugmentationNoise.draw(m, samples(), random), batch.inputs(), batch.targets(), train.size());
        for (AffineGenerator gen : AffineGenerator.values()) {
            if (!options.augmentedGenerators().contains(gen)) {
                g[gen.ordinal()] = 0;
            }
        }
        double[] eta = augmentation.eta();
        etaAdam.step(eta, negate(g));
        augmentation.setEta(eta);
    }

    private static double[] negate(double[] g) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = -g[i];
        }
        return out;
    }
}
