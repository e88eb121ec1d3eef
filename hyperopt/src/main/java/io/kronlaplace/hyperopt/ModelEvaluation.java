package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.InvariantPredictive;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.MapPredictive;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.metrics.OodDetection;
import io.kronlaplace.validation.metrics.OodScore;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.EvaluationSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Evaluates a trained classifier as MAP and as a K-FAC Laplace approximation with the linearised (GLM) predictive
 * under the probit and the Monte-Carlo link, on a clean test set, shifted versions of it and an out-of-distribution
 * set (detected with the max-probability and the entropy score), into an {@link EvaluationReport}, together with the
 * posterior's prior precision per parameter group. The network is evaluated on un-augmented inputs.
 */
public final class ModelEvaluation {
    /** Method name of the point estimate. */
    public static final String MAP = "MAP";
    /** Method name of the Laplace GLM predictive with the probit link. */
    public static final String LAPLACE_PROBIT = "Laplace (GLM probit)";
    /** Method name of the Laplace GLM predictive with Monte-Carlo sampling. */
    public static final String LAPLACE_MC = "Laplace (GLM MC)";
    /**
     * Method name of the plain network's point estimate, an extra row when the model is evaluated as its invariant
     * model ({@link #asInvariantModel}).
     */
    public static final String PLAIN_MAP = "MAP (plain network)";

    private final Network network;
    private final PriorPrecision prior;
    private final KfacFlavour flavour;
    private final int batchSize;
    private final int mcSamples;
    private final long seed;
    private final Consumer<String> status;
    private final double[] eta;
    private final int augmentationSamples;

    /**
     * @param network   the trained network (MAP weights)
     * @param prior     prior precision of the Laplace posterior (scalar or one per weight/bias group)
     * @param flavour   K-FAC flavour of the posterior's curvature
     * @param batchSize examples per batch when fitting and predicting, >= 1
     * @param mcSamples logit samples per example of the MC predictive, >= 1
     * @param seed      seed of the MC predictive
     * @param status    receives one line per stage (may ignore it)
     */
    public ModelEvaluation(Network network, PriorPrecision prior, KfacFlavour flavour, int batchSize, int mcSamples,
                           long seed, Consumer<String> status) {
        this.network = Objects.requireNonNull(network, "network");
        this.prior = Objects.requireNonNull(prior, "prior");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        if (batchSize < 1 || mcSamples < 1) {
            throw new IllegalArgumentException("batch size and MC samples must be >= 1, got " + batchSize + " and "
                    + mcSamples);
        }
        this.batchSize = batchSize;
        this.mcSamples = mcSamples;
        this.seed = seed;
        this.status = Objects.requireNonNull(status, "status");
        this.eta = null;
        this.augmentationSamples = 1;
    }

    private ModelEvaluation(ModelEvaluation base, double[] eta, int samples) {
        this.network = base.network;
        this.prior = base.prior;
        this.flavour = base.flavour;
        this.batchSize = base.batchSize;
        this.mcSamples = base.mcSamples;
        this.seed = base.seed;
        this.status = base.status;
        this.eta = new AffineAugmentation(eta).eta();
        this.augmentationSamples = samples;
    }

    /**
     * The same evaluation of the invariant model the network was trained as: MAP and Laplace average the outputs
     * over S augmented copies of each image at the learned eta ({@link InvariantPredictive}), the posterior is fitted
     * on augmented training batches with S shared rows per example, and the plain network's MAP is an extra row
     * ({@link #PLAIN_MAP}). The copies of the batch starting at row {@code from} of a set are drawn with seed
     * {@code seed() + from}; those of training batch b with seed {@code seed() - 1 - b}.
     *
     * @param eta     the learned augmentation parameters, one per {@link io.kronlaplace.hyperopt.augment.AffineGenerator}
     * @param samples S, augmented copies per example, at least 2
     * @return the evaluation of the invariant model
     * @throws IllegalArgumentException when S is below 2 or eta is not one finite value per generator
     */
    public ModelEvaluation asInvariantModel(double[] eta, int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("the invariant model averages S >= 2 augmented copies, got S = "
                    + samples);
        }
        return new ModelEvaluation(this, eta, samples);
    }

    /**
     * Whether this evaluation is of the invariant model ({@link #asInvariantModel}).
     *
     * @return true for the invariant model, false for the plain network
     */
    public boolean invariant() {
        return eta != null;
    }

    /**
     * Whether a trained model learned augmentation that makes it an invariant model: S &gt; 1 and some magnitude
     * above 0.
     *
     * @param eta     the saved augmentation parameters (empty when none were learned)
     * @param samples S, augmented copies per example
     * @return true when the model should be evaluated as its invariant model
     */
    public static boolean learnedInvariance(double[] eta, int samples) {
        if (samples < 2 || eta == null) {
            return false;
        }
        for (double v : eta) {
            if (v != 0.0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fits the posterior on {@code train} and adds MAP, Laplace probit and Laplace MC results on every set, predicted
     * in this JVM.
     *
     * @param train  the training set (curvature at the MAP)
     * @param test   the clean test set
     * @param shifts shifted versions of the test set (may be empty)
     * @param ood    an out-of-distribution set (null for none)
     * @param report the report to add to
     * @return the fitted posterior
     */
    public LaplacePosterior evaluate(ImageDataset train, ImageDataset test, List<ShiftedDataset> shifts,
                                     ImageDataset ood, EvaluationReport.Builder report) {
        status.accept("fitting the Laplace posterior (K-FAC " + flavour + ") on " + train.size() + " examples");
        LaplacePosterior posterior = Laplace.create(network, options());
        posterior.fit(curvatureBatches(train));
        report(posterior, test, shifts, ood, report, this::predictor);
        return posterior;
    }

    /**
     * Adds MAP, Laplace probit and Laplace MC results of a posterior fitted with {@link #options()} on every set, OOD
     * detection with every {@link OodScore}, and the posterior's prior precisions ({@link #addPriorPrecisions}),
     * predicted by {@code predictors} (in this JVM or on a cluster: any predictor must give the probabilities of
     * {@link #predictBatch} over the batches of {@link #batchSize()} rows, batch {@code from} seeded with
     * {@code seed() + from}).
     */
    public void report(LaplacePosterior posterior, ImageDataset test, List<ShiftedDataset> shifts, ImageDataset ood,
                       EvaluationReport.Builder report, PredictorFactory predictors) {
        SetPredictor predictor = predictors.forPosterior(posterior);
        List<ImageDataset> sets = new ArrayList<>();
        List<EvaluationSet> descriptors = new ArrayList<>();
        sets.add(test);
        descriptors.add(EvaluationSet.clean(test.name()));
        for (ShiftedDataset s : shifts) {
            sets.add(s.dataset());
            descriptors.add(EvaluationSet.of(s));
        }
        MethodProbabilities testProbs = null;
        for (int i = 0; i < sets.size(); i++) {
            status.accept("predicting on " + descriptors.get(i).name() + " (" + sets.get(i).size() + " images)");
            MethodProbabilities probs = predictor.predict(sets.get(i));
            report.addClassification(MAP, descriptors.get(i), probs.map(), sets.get(i).labels());
            report.addClassification(LAPLACE_PROBIT, descriptors.get(i), probs.probit(), sets.get(i).labels());
            report.addClassification(LAPLACE_MC, descriptors.get(i), probs.monteCarlo(), sets.get(i).labels());
            if (probs.plainMap() != null) {
                report.addClassification(PLAIN_MAP, descriptors.get(i), probs.plainMap(), sets.get(i).labels());
            }
            if (i == 0) {
                testProbs = probs;
            }
        }
        if (ood != null) {
            status.accept("predicting on out-of-distribution set " + ood.name() + " (" + ood.size() + " images)");
            MethodProbabilities oodProbs = predictor.predict(ood);
            for (OodScore score : OodScore.values()) {
                report.addOod(MAP, test.name(), ood.name(),
                        OodDetection.evaluate(testProbs.map(), oodProbs.map(), score));
                report.addOod(LAPLACE_PROBIT, test.name(), ood.name(),
                        OodDetection.evaluate(testProbs.probit(), oodProbs.probit(), score));
                report.addOod(LAPLACE_MC, test.name(), ood.name(),
                        OodDetection.evaluate(testProbs.monteCarlo(), oodProbs.monteCarlo(), score));
                if (oodProbs.plainMap() != null) {
                    report.addOod(PLAIN_MAP, test.name(), ood.name(),
                            OodDetection.evaluate(testProbs.plainMap(), oodProbs.plainMap(), score));
                }
            }
        }
        addPriorPrecisions(posterior, report);
    }

    /**
     * Adds the prior precision of each parameter group of a posterior, under the group's name, to a report (nothing
     * for a per-parameter prior, which has no single value per group).
     *
     * @param posterior the posterior whose prior is reported
     * @param report    the report to add to
     */
    public static void addPriorPrecisions(LaplacePosterior posterior, EvaluationReport.Builder report) {
        PriorPrecision prior = posterior.priorPrecision();
        if (prior.kind() == PriorPrecision.Kind.PER_PARAMETER) {
            return;
        }
        List<String> groups = posterior.groupNames();
        for (int g = 0; g < groups.size(); g++) {
            report.priorPrecision(groups.get(g), prior.groupValue(g));
        }
    }

    /**
     * The options of the evaluated posterior: K-FAC over all weights, classification, this prior and flavour, and
     * S shared rows per example for the invariant model.
     *
     * @return the posterior's options
     */
    public LaplaceOptions options() {
        return kronOverAllWeights(LikelihoodType.CLASSIFICATION, prior, flavour, augmentationSamples);
    }

    /** The options of an evaluated posterior: K-FAC of this flavour over all weights, this likelihood and prior. */
    static LaplaceOptions kronOverAllWeights(LikelihoodType likelihood, PriorPrecision prior, KfacFlavour flavour) {
        return kronOverAllWeights(likelihood, prior, flavour, 1);
    }

    private static LaplaceOptions kronOverAllWeights(LikelihoodType likelihood, PriorPrecision prior,
                                                     KfacFlavour flavour, int sharedRows) {
        return LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(likelihood).prior(prior).flavour(flavour).sharedRowsPerExample(sharedRows).build();
    }

    /** The trained network (MAP weights). */
    public Network network() {
        return network;
    }

    /** Examples per batch when fitting and predicting. */
    public int batchSize() {
        return batchSize;
    }

    /** Logit samples per example of the MC predictive. */
    public int mcSamples() {
        return mcSamples;
    }

    /** Seed of the MC predictive; the batch starting at row {@code from} is seeded with {@code seed + from}. */
    public long seed() {
        return seed;
    }

    /**
     * The training set cut into the curvature pass's batches of {@link #batchSize()} rows, in order (each image's S
     * augmented copies for the invariant model).
     *
     * @param train the training set
     * @return the batches
     */
    public List<Batch> trainingBatches(ImageDataset train) {
        List<Batch> out = new ArrayList<>();
        curvatureBatches(train).forEachRemaining(out::add);
        return out;
    }

    private Iterator<Batch> curvatureBatches(ImageDataset train) {
        Iterator<Batch> batches = train.asBatches(batchSize);
        if (!invariant()) {
            return batches;
        }
        AffineAugmentation augmentation = new AffineAugmentation(eta);
        return new Iterator<>() {
            private long index;

            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public Batch next() {
                Batch b = batches.next();
                return new Batch(InvariantPredictive.augment(augmentation, b.inputs(), augmentationSamples,
                        seed - 1 - index++), b.targets());
            }
        };
    }

    /**
     * MAP, probit and MC probabilities of one batch, each rows x C float64: the per-batch work of every predictor.
     *
     * @param network   the network at the posterior's MAP weights
     * @param glm       the GLM predictive of the fitted posterior
     * @param images    the batch's images
     * @param mcSamples logit samples per example of the MC predictive
     * @param batchSeed seed of this batch's MC samples
     */
    public static MethodProbabilities predictBatch(Network network, GlmPredictive glm, INDArray images, int mcSamples,
                                                   long batchSeed) {
        INDArray map = mapProbabilities(network, images);
        GlmPredictive.BothLinks p = glm.classifyWithBothLinks(images, mcSamples, batchSeed);
        return new MethodProbabilities(map, p.probit(), p.monteCarlo());
    }

    /**
     * The point estimate's predictive probabilities: the softmax of the network's logits in evaluation mode.
     *
     * @param network the network
     * @param images  a batch of images [N, C, H, W]
     * @return the probabilities [N, classes], float64
     */
    public static INDArray mapProbabilities(Network network, INDArray images) {
        return Transforms.softmax(network.forward(images, Mode.EVAL).castTo(DataType.DOUBLE), true);
    }

    /**
     * Predicts whole sets of a posterior fitted with {@link #options()} in this JVM, batch by batch.
     *
     * @param posterior the fitted posterior
     * @return the set predictor
     */
    public SetPredictor predictor(LaplacePosterior posterior) {
        GlmPredictive glm = new GlmPredictive(posterior, augmentationSamples);
        AffineAugmentation augmentation = invariant() ? new AffineAugmentation(eta) : null;
        return data -> {
            List<MethodProbabilities> parts = new ArrayList<>();
            for (int from = 0; from < data.size(); from += batchSize) {
                INDArray x = rows(data, from, Math.min(data.size(), from + batchSize)).images();
                parts.add(augmentation == null ? predictBatch(network, glm, x, mcSamples, seed + from)
                        : predictInvariantBatch(augmentation, glm, x, seed + from));
            }
            return MethodProbabilities.stack(parts);
        };
    }

    /** The invariant model's MAP, probit and MC probabilities of one batch from one augmentation, plus plain MAP. */
    private MethodProbabilities predictInvariantBatch(AffineAugmentation augmentation, GlmPredictive glm, INDArray x,
                                                      long batchSeed) {
        INDArray copies = InvariantPredictive.augment(augmentation, x, augmentationSamples, batchSeed);
        INDArray map = new MapPredictive(network, 1.0, augmentationSamples).classify(copies);
        GlmPredictive.BothLinks p = glm.classifyWithBothLinks(copies, mcSamples, batchSeed);
        return new MethodProbabilities(map, p.probit(), p.monteCarlo(), new MapPredictive(network).classify(x));
    }

    /** Computes the probabilities of whole evaluation sets for one fitted posterior. */
    @FunctionalInterface
    public interface SetPredictor {
        /** MAP, probit and MC probabilities of every row of {@code data}, in row order. */
        MethodProbabilities predict(ImageDataset data);
    }

    /** Makes the set predictor of a fitted posterior (e.g. shipping the posterior to a cluster once). */
    @FunctionalInterface
    public interface PredictorFactory {
        /** A predictor of the posterior's MAP, probit and MC probabilities. */
        SetPredictor forPosterior(LaplacePosterior posterior);
    }

    /** Rows {@code [from, to)} of a data set. */
    public static ImageDataset rows(ImageDataset data, int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return data.subset(idx);
    }
}
