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
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.laplace.predictive.MapPredictive;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.metrics.OodDetection;
import io.kronlaplace.validation.metrics.OodScore;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.EvaluationSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Evaluates a trained classifier as MAP and as a K-FAC Laplace approximation with the linearised (GLM) predictive
 * under one or more links (by default over all weights with the probit and the Monte-Carlo link; see
 * {@link #withPosterior} for the last layer and other links), on a clean test set, shifted versions of it and an out-of-distribution
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
    /** Method name of the Laplace GLM predictive with the Laplace bridge. */
    public static final String LAPLACE_BRIDGE = "Laplace (GLM bridge)";
    /** Method name of the Laplace GLM predictive with the normalised Laplace bridge. */
    public static final String LAPLACE_BRIDGE_NORM = "Laplace (GLM bridge-norm)";
    /** The links evaluated unless {@link #withPosterior} chooses others: probit and Monte-Carlo. */
    public static final List<LinkApproximation> DEFAULT_LINKS = List.of(LinkApproximation.PROBIT,
            LinkApproximation.MC);
    /**
     * Method name of the plain network's point estimate, an extra row when the model is evaluated as its invariant
     * model ({@link #asInvariantModel}).
     */
    public static final String PLAIN_MAP = "MAP (plain network)";
    /** Id of the {@link StepWorkspace} that holds one batch's temporaries of a prediction pass. */
    static final String PREDICTION_WORKSPACE = "evaluation-prediction";

    private final Network network;
    private final PriorPrecision prior;
    private final KfacFlavour flavour;
    private final int batchSize;
    private final int mcSamples;
    private final long seed;
    private final Consumer<String> status;
    private final double[] eta;
    private final int augmentationSamples;
    private final SubsetOfWeights subset;
    private final List<LinkApproximation> links;
    private final EvaluationListener listener;

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
        this.subset = SubsetOfWeights.ALL;
        this.links = DEFAULT_LINKS;
        this.listener = EvaluationListener.NONE;
    }

    private ModelEvaluation(ModelEvaluation base, double[] eta, int samples, SubsetOfWeights subset,
                            PriorPrecision prior, List<LinkApproximation> links, EvaluationListener listener) {
        this.network = base.network;
        this.prior = prior;
        this.flavour = base.flavour;
        this.batchSize = base.batchSize;
        this.mcSamples = base.mcSamples;
        this.seed = base.seed;
        this.status = base.status;
        this.eta = eta == null ? null : new AffineAugmentation(eta).eta();
        this.augmentationSamples = samples;
        this.subset = subset;
        this.links = links;
        this.listener = listener;
    }

    /**
     * The same evaluation of a K-FAC posterior over {@code subset} whose Laplace rows use {@code links}. For the
     * last layer a per-group prior over all weights (as a saved model holds) becomes the prior of the last layer's
     * groups, matched by group name ({@link #lastLayerPrior}); a scalar prior is kept.
     *
     * @param subset ALL or LAST_LAYER
     * @param links  the links of the Laplace rows, at least one, each once, in row order
     * @return the evaluation of that posterior
     * @throws IllegalArgumentException for another subset, no or repeated links, a per-parameter prior for the last
     *                                  layer, or a network that does not end in a Linear layer
     */
    public ModelEvaluation withPosterior(SubsetOfWeights subset, List<LinkApproximation> links) {
        if (subset != SubsetOfWeights.ALL && subset != SubsetOfWeights.LAST_LAYER) {
            throw new IllegalArgumentException("the evaluation covers ALL or LAST_LAYER weights, got " + subset);
        }
        if (links.isEmpty() || EnumSet.copyOf(links).size() != links.size()) {
            throw new IllegalArgumentException("give each link once and at least one, got " + links);
        }
        PriorPrecision covered = subset == SubsetOfWeights.LAST_LAYER ? lastLayerPrior(network, prior) : prior;
        return new ModelEvaluation(this, eta, augmentationSamples, subset, covered, List.copyOf(links), listener);
    }

    /**
     * The same evaluation, telling {@code listener} about its curvature pass and its prediction passes in this JVM
     * (a predictor of another {@link PredictorFactory} reports each set's pass as started and finished only).
     *
     * @param listener receives the progress of every pass
     * @return the evaluation reporting its progress
     */
    public ModelEvaluation withListener(EvaluationListener listener) {
        return new ModelEvaluation(this, eta, augmentationSamples, subset, prior, links,
                Objects.requireNonNull(listener, "listener"));
    }

    /**
     * The prior of a last-layer posterior from a prior of an all-weights posterior: a scalar is kept, per-group
     * values are those of the last layer's groups (its weight and bias), matched by group name.
     *
     * @param network    the network (ending in a Linear layer)
     * @param allWeights a scalar or per-group prior over all weights of {@code network}
     * @return the prior of the last layer's posterior
     * @throws IllegalArgumentException for a per-parameter prior, a per-group prior that does not have one value
     *                                  per group, or a network that does not end in a Linear layer
     */
    public static PriorPrecision lastLayerPrior(Network network, PriorPrecision allWeights) {
        if (allWeights.kind() == PriorPrecision.Kind.SCALAR) {
            return allWeights;
        }
        if (allWeights.kind() != PriorPrecision.Kind.PER_GROUP) {
            throw new IllegalArgumentException("a per-parameter prior over all weights has no last-layer "
                    + "counterpart; give a scalar or per-group prior");
        }
        PriorPrecision unit = PriorPrecision.scalar(1);
        List<String> all = Laplace.create(network, kronOverAllWeights(LikelihoodType.CLASSIFICATION, unit,
                KfacFlavour.REDUCE)).groupNames();
        if (all.size() != allWeights.size()) {
            throw new IllegalArgumentException("the prior has " + allWeights.size() + " values but the network has "
                    + all.size() + " parameter groups " + all);
        }
        List<String> last = Laplace.create(network, LaplaceOptions.builder().subset(SubsetOfWeights.LAST_LAYER)
                .structure(HessianStructure.KRON).prior(unit).build()).groupNames();
        double[] values = new double[last.size()];
        for (int g = 0; g < values.length; g++) {
            values[g] = allWeights.groupValue(all.indexOf(last.get(g)));
        }
        return PriorPrecision.perGroup(values);
    }

    /**
     * The weights the evaluated posterior covers.
     *
     * @return ALL (the default) or LAST_LAYER
     */
    public SubsetOfWeights subset() {
        return subset;
    }

    /**
     * The links of the Laplace rows, in row order.
     *
     * @return the links, unmodifiable
     */
    public List<LinkApproximation> links() {
        return links;
    }

    /**
     * The prior precision of the evaluated posterior (the last layer's for LAST_LAYER).
     *
     * @return the prior precision
     */
    public PriorPrecision prior() {
        return prior;
    }

    /**
     * The report's method name of the Laplace rows under one link.
     *
     * @param link the link
     * @return e.g. {@link #LAPLACE_MC} for MC
     */
    public static String laplaceMethod(LinkApproximation link) {
        return switch (link) {
            case PROBIT -> LAPLACE_PROBIT;
            case MC -> LAPLACE_MC;
            case BRIDGE -> LAPLACE_BRIDGE;
            case BRIDGE_NORM -> LAPLACE_BRIDGE_NORM;
        };
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
        return new ModelEvaluation(this, eta, samples, subset, prior, links, listener);
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
        status.accept("fitting the Laplace posterior (K-FAC " + flavour + ", " + subset + ") on " + train.size()
                + " examples");
        LaplacePosterior posterior = Laplace.create(network, options());
        listener.passStarted(train.name(), "K-FAC curvature", train.size());
        posterior.fit(counted(curvatureBatches(train)));
        listener.passFinished();
        report(posterior, test, shifts, ood, report, this::predictor);
        return posterior;
    }

    /**
     * Adds MAP and the Laplace rows of {@link #links()} of a posterior fitted with {@link #options()} on every set, OOD
     * detection with every {@link OodScore}, and the posterior's prior precisions ({@link #addPriorPrecisions}),
     * predicted by {@code predictors} (in this JVM or on a cluster: any predictor must give the probabilities of
     * {@link #predictBatch} over the batches of {@link #batchSize()} rows, batch {@code from} seeded with
     * {@code seed() + from}).
     *
     * @param posterior  the posterior fitted with {@link #options()} at the network's MAP weights
     * @param test       the clean test set
     * @param shifts     shifted versions of the test set, each a row set of its own (may be empty)
     * @param ood        an out-of-distribution set, detected against {@code test} (null for none)
     * @param report     the report the results are added to
     * @param predictors makes the predictor of {@code posterior} once, which then predicts every set
     */
    public void report(LaplacePosterior posterior, ImageDataset test, List<ShiftedDataset> shifts, ImageDataset ood,
                       EvaluationReport.Builder report, PredictorFactory predictors) {
        try {
            reportSets(posterior, test, shifts, ood, report, predictors.forPosterior(posterior));
        } finally {
            releasePredictionMemory();
        }
    }

    private void reportSets(LaplacePosterior posterior, ImageDataset test, List<ShiftedDataset> shifts,
                            ImageDataset ood, EvaluationReport.Builder report, SetPredictor predictor) {
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
            MethodProbabilities probs = predictPass(predictor, descriptors.get(i).name(), sets.get(i));
            report.addClassification(MAP, descriptors.get(i), probs.map(), sets.get(i).labels());
            for (LinkApproximation link : links) {
                report.addClassification(laplaceMethod(link), descriptors.get(i), probs.laplace(link),
                        sets.get(i).labels());
            }
            if (probs.plainMap() != null) {
                report.addClassification(PLAIN_MAP, descriptors.get(i), probs.plainMap(), sets.get(i).labels());
            }
            if (i == 0) {
                testProbs = probs;
            }
        }
        if (ood != null) {
            status.accept("predicting on out-of-distribution set " + ood.name() + " (" + ood.size() + " images)");
            MethodProbabilities oodProbs = predictPass(predictor, ood.name(), ood);
            for (OodScore score : OodScore.values()) {
                report.addOod(MAP, test.name(), ood.name(),
                        OodDetection.evaluate(testProbs.map(), oodProbs.map(), score));
                for (LinkApproximation link : links) {
                    report.addOod(laplaceMethod(link), test.name(), ood.name(),
                            OodDetection.evaluate(testProbs.laplace(link), oodProbs.laplace(link), score));
                }
                if (oodProbs.plainMap() != null) {
                    report.addOod(PLAIN_MAP, test.name(), ood.name(),
                            OodDetection.evaluate(testProbs.plainMap(), oodProbs.plainMap(), score));
                }
            }
        }
        addPriorPrecisions(posterior, report);
    }

    private MethodProbabilities predictPass(SetPredictor predictor, String set, ImageDataset data) {
        listener.passStarted(set, predictedMethods(), data.size());
        MethodProbabilities probs = predictor.predict(data);
        listener.passFinished();
        return probs;
    }

    /**
     * The methods of a prediction pass, short enough to leave a progress bar room on its line: e.g.
     * "MAP, Laplace mc/probit".
     */
    private String predictedMethods() {
        StringBuilder methods = new StringBuilder(invariant() ? "MAP, plain MAP, Laplace " : "MAP, Laplace ");
        for (int i = 0; i < links.size(); i++) {
            methods.append(i == 0 ? "" : "/").append(links.get(i).name().toLowerCase(Locale.ROOT));
        }
        return methods.toString();
    }

    /** The batches, each reported to the listener as done when the next one is asked for or none is left. */
    private Iterator<Batch> counted(Iterator<Batch> batches) {
        return new Iterator<>() {
            private int pending;

            @Override
            public boolean hasNext() {
                boolean more = batches.hasNext();
                if (!more) {
                    report();
                }
                return more;
            }

            @Override
            public Batch next() {
                report();
                Batch b = batches.next();
                pending = Math.toIntExact(b.targets().size(0));
                return b;
            }

            private void report() {
                if (pending > 0) {
                    listener.examplesDone(pending);
                    pending = 0;
                }
            }
        };
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
     * The options of the evaluated posterior: K-FAC over {@link #subset()}, classification, this prior and flavour,
     * and S shared rows per example for the invariant model.
     *
     * @return the posterior's options
     */
    public LaplaceOptions options() {
        return kron(subset, LikelihoodType.CLASSIFICATION, prior, flavour, augmentationSamples);
    }

    /** The options of an evaluated posterior: K-FAC of this flavour over all weights, this likelihood and prior. */
    static LaplaceOptions kronOverAllWeights(LikelihoodType likelihood, PriorPrecision prior, KfacFlavour flavour) {
        return kron(SubsetOfWeights.ALL, likelihood, prior, flavour, 1);
    }

    private static LaplaceOptions kron(SubsetOfWeights subset, LikelihoodType likelihood, PriorPrecision prior,
                                       KfacFlavour flavour, int sharedRows) {
        return LaplaceOptions.builder().subset(subset).structure(HessianStructure.KRON)
                .likelihood(likelihood).prior(prior).flavour(flavour).sharedRowsPerExample(sharedRows).build();
    }

    /**
     * The evaluated network.
     *
     * @return the trained network (MAP weights), not copied
     */
    public Network network() {
        return network;
    }

    /**
     * The batch size of the curvature pass and of prediction.
     *
     * @return examples per batch when fitting and predicting, &gt;= 1
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The sample count of the MC link.
     *
     * @return logit samples per example of the MC predictive, &gt;= 1
     */
    public int mcSamples() {
        return mcSamples;
    }

    /**
     * The seed of the evaluation's random draws.
     *
     * @return the seed of the MC predictive: the batch starting at row {@code from} is seeded with
     *         {@code seed + from} (and, for the invariant model, its augmented copies too)
     */
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
     * MAP probabilities and those of each link of one batch, each rows x C float64: the per-batch work of every
     * predictor.
     *
     * @param network   the network at the posterior's MAP weights
     * @param glm       the GLM predictive of the fitted posterior
     * @param images    the batch's images
     * @param links     the links of the Laplace rows
     * @param mcSamples logit samples per example of the MC predictive
     * @param batchSeed seed of this batch's MC samples
     * @return the batch's probabilities
     */
    public static MethodProbabilities predictBatch(Network network, GlmPredictive glm, INDArray images,
                                                   List<LinkApproximation> links, int mcSamples, long batchSeed) {
        return new MethodProbabilities(mapProbabilities(network, images),
                glm.classify(images, links, mcSamples, batchSeed), null);
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
     * Predicts whole sets of a posterior fitted with {@link #options()} in this JVM, batch by batch. The batches'
     * memory is kept on the calling thread for the next set; {@link #releasePredictionMemory()} frees it after the
     * last.
     *
     * @param posterior the fitted posterior
     * @return the set predictor
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    public SetPredictor predictor(LaplacePosterior posterior) {
        GlmPredictive glm = new GlmPredictive(posterior, augmentationSamples);
        AffineAugmentation augmentation = invariant() ? new AffineAugmentation(eta) : null;
        return data -> {
            List<MethodProbabilities> parts = new ArrayList<>();
            for (int from = 0; from < data.size(); from += batchSize) {
                // a batch's activations, Jacobians and samples are reused memory, not garbage that only a collection
                // of the mostly idle heap would free; only its probabilities are kept
                try (StepWorkspace ignored = StepWorkspace.open(PREDICTION_WORKSPACE)) {
                    INDArray x = rows(data, from, Math.min(data.size(), from + batchSize)).images();
                    parts.add((augmentation == null ? predictBatch(network, glm, x, links, mcSamples, seed + from)
                            : predictInvariantBatch(augmentation, glm, x, seed + from)).detached());
                }
                listener.examplesDone(Math.min(data.size(), from + batchSize) - from);
            }
            return MethodProbabilities.stack(parts);
        };
    }

    /**
     * Frees the prediction memory that {@link #predictor} keeps on the calling thread from one set to the next (each
     * set's first batch would otherwise size it again, which costs the all-weights predictives several batches'
     * time). {@link #report} calls it after its last set.
     */
    public static void releasePredictionMemory() {
        StepWorkspace.release(PREDICTION_WORKSPACE);
        LaplacePosterior.releasePredictionMemory();
    }

    /** The invariant model's MAP and links' probabilities of one batch from one augmentation, plus plain MAP. */
    private MethodProbabilities predictInvariantBatch(AffineAugmentation augmentation, GlmPredictive glm, INDArray x,
                                                      long batchSeed) {
        INDArray copies = InvariantPredictive.augment(augmentation, x, augmentationSamples, batchSeed);
        INDArray map = new MapPredictive(network, 1.0, augmentationSamples).classify(copies);
        return new MethodProbabilities(map, glm.classify(copies, links, mcSamples, batchSeed),
                new MapPredictive(network).classify(x));
    }

    /** Computes the probabilities of whole evaluation sets for one fitted posterior. */
    @FunctionalInterface
    public interface SetPredictor {
        /**
         * Predicts one whole set.
         *
         * @param data the images to predict (its labels are not used)
         * @return MAP and the evaluated links' probabilities of every row of {@code data}, in row order, each
         *         rows x C float64
         */
        MethodProbabilities predict(ImageDataset data);
    }

    /** Makes the set predictor of a fitted posterior (e.g. shipping the posterior to a cluster once). */
    @FunctionalInterface
    public interface PredictorFactory {
        /**
         * Makes the predictor of one posterior.
         *
         * @param posterior a posterior fitted with the evaluation's {@link #options()}
         * @return a predictor of the posterior's MAP and the evaluated links' probabilities
         */
        SetPredictor forPosterior(LaplacePosterior posterior);
    }

    /**
     * A contiguous block of rows of a data set.
     *
     * @param data the data set
     * @param from first row, inclusive, &gt;= 0
     * @param to   last row, exclusive, from &lt;= to &lt;= {@code data.size()}
     * @return a copy of rows {@code [from, to)}, under the same name
     * @throws IndexOutOfBoundsException when the range reaches outside the data set
     */
    public static ImageDataset rows(ImageDataset data, int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return data.subset(idx);
    }
}
