package io.kronlaplace.hyperopt.search;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.RegressionEvaluation;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.data.SupervisedDataset;
import io.kronlaplace.validation.metrics.ClassificationMetrics;
import io.kronlaplace.validation.metrics.Probabilities;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Grid search over network width, initial prior precision and marginal-likelihood frequency F: every grid point is
 * trained with online marginal-likelihood learning and scored by its best log marginal likelihood (needs only training
 * data) and by the MAP negative log-likelihood on a held-out validation split, so the two model-selection criteria can
 * be compared. The networks are Wide ResNets on images (the width axis is the widening factor) or MLPs on images,
 * tables or regression rows (the width axis multiplies every hidden width); a regression point is scored by the
 * Gaussian negative log-likelihood of its MAP mean with the noise learned by the marginal likelihood.
 */
public final class GridSearch {
    private final ModelKind kind;
    private final int depth;
    private final WideResNet.Variant variant;
    private final List<Integer> hidden;
    private final double targetStd;
    private final OnlineMarglikOptions base;
    private final Consumer<String> status;

    /**
     * A search over Wide ResNets on images.
     *
     * @param depth   Wide ResNet depth (6n + 4)
     * @param variant BatchNorm or Fixup
     * @param base    training options; each grid point overrides the initial prior precision and F
     * @param status  receives a line per finished grid point
     */
    public GridSearch(int depth, WideResNet.Variant variant, OnlineMarglikOptions base, Consumer<String> status) {
        this(ModelKind.WRN, depth, Objects.requireNonNull(variant, "variant"), List.of(), 1, base, status);
    }

    private GridSearch(ModelKind kind, int depth, WideResNet.Variant variant, List<Integer> hidden, double targetStd,
                       OnlineMarglikOptions base, Consumer<String> status) {
        this.kind = kind;
        this.depth = depth;
        this.variant = variant;
        this.hidden = List.copyOf(hidden);
        this.targetStd = targetStd;
        this.base = Objects.requireNonNull(base, "base");
        this.status = Objects.requireNonNull(status, "status");
    }

    /**
     * A search over MLPs whose hidden widths are {@code hidden} times each grid point's width factor.
     *
     * @param hidden    hidden widths at width factor 1, input side first, each positive
     * @param targetStd the regression targets' standard deviation, which maps the validation negative
     *                  log-likelihood of standardised targets back to the original units (1 for classification)
     * @param base      training options (with a regression likelihood for regression data); each grid point
     *                  overrides the initial prior precision and F
     * @param status    receives a line per finished grid point
     * @return the search
     * @throws IllegalArgumentException for a width that is not positive or a target scale that is not positive
     */
    public static GridSearch mlp(List<Integer> hidden, double targetStd, OnlineMarglikOptions base,
                                 Consumer<String> status) {
        if (hidden.stream().anyMatch(w -> w < 1) || !(targetStd > 0) || !Double.isFinite(targetStd)) {
            throw new IllegalArgumentException("MLP search needs positive hidden widths and target scale, got "
                    + hidden + " and " + targetStd);
        }
        return new GridSearch(ModelKind.MLP, 0, null, hidden, targetStd, base, status);
    }

    /**
     * The Cartesian product of the value lists, in nested order (width outermost).
     *
     * @param widths      width factors
     * @param priors      initial prior precisions
     * @param frequencies marginal-likelihood frequencies F
     * @return the grid points
     * @throws IllegalArgumentException for an empty axis or an invalid value
     */
    public static List<SearchConfig> grid(List<Integer> widths, List<Double> priors, List<Integer> frequencies) {
        if (widths.isEmpty() || priors.isEmpty() || frequencies.isEmpty()) {
            throw new IllegalArgumentException("every grid axis needs at least one value");
        }
        List<SearchConfig> out = new ArrayList<>();
        for (int w : widths) {
            for (double p : priors) {
                for (int f : frequencies) {
                    out.add(new SearchConfig(w, p, f));
                }
            }
        }
        return out;
    }

    /**
     * Trains and scores every grid point.
     *
     * @param grid       the grid points
     * @param train      the (standardised) training set: images, or regression rows for an MLP search
     * @param validation the validation set of the same kind
     * @param listener   sees the training of every point
     * @return the results in grid order
     */
    public List<SearchResult> run(List<SearchConfig> grid, SupervisedDataset<?> train,
                                  SupervisedDataset<?> validation, TrainingListener listener) {
        List<SearchResult> results = new ArrayList<>();
        for (SearchConfig c : grid) {
            SearchResult result = runOne(c, train, validation, listener);
            report(result);
            results.add(result);
        }
        return results;
    }

    /**
     * Trains and scores one grid point, independently of every other (a fresh network seeded with the base seed),
     * so grid points may run in any order or process with the same results.
     *
     * @param c          the grid point
     * @param train      the (standardised) training set: images, or regression rows for an MLP search
     * @param validation the validation set of the same kind
     * @param listener   sees the training
     * @return the point's scores
     * @throws IllegalArgumentException when the data do not suit the network (see {@link #architecture})
     */
    public SearchResult runOne(SearchConfig c, SupervisedDataset<?> train, SupervisedDataset<?> validation,
                               TrainingListener listener) {
        long start = System.nanoTime();
        Network net = architecture(c, train).build(base.seed());
        OnlineMarglikOptions o = base.toBuilder().initialPriorPrecision(c.priorPrecision())
                .marglikFrequency(c.marglikFrequency()).build();
        TrainingResult r = new OnlineMarglikTrainer(net, train, o).train(listener);
        double nll;
        double accuracy;
        if (validation instanceof RegressionDataset rows) {
            double[] mean = predict(net, rows, o.batchSize()).toDoubleVector();
            double[] variance = new double[mean.length];
            Arrays.fill(variance, r.sigma() * r.sigma());
            nll = RegressionEvaluation.summary(mean, variance, rows.targets().castTo(DataType.DOUBLE)
                    .toDoubleVector(), 0, targetStd).nll();
            accuracy = Double.NaN;
        } else {
            ImageDataset images = (ImageDataset) validation;
            double[][] probs = Probabilities.toMatrix(Transforms.softmax(predict(net, images, o.batchSize()), true));
            nll = ClassificationMetrics.negativeLogLikelihood(probs, images.labels());
            accuracy = ClassificationMetrics.accuracy(probs, images.labels());
        }
        return new SearchResult(c, r.bestLogMarglik(), nll, accuracy, net.numParameters(),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The network of grid point {@code c} on data like {@code train}: a Wide ResNet of the point's widening factor,
     * or an MLP with the point's width factor times every hidden width over the images or feature rows.
     *
     * @param c     the grid point
     * @param train the training data, which gives the inputs and outputs
     * @return the architecture
     * @throws IllegalArgumentException for regression data in a Wide ResNet search, images smaller than 8 x 8 for
     *                                  a Wide ResNet, non-square images for an MLP
     */
    public ModelArchitecture architecture(SearchConfig c, SupervisedDataset<?> train) {
        if (train instanceof RegressionDataset rows) {
            if (kind != ModelKind.MLP) {
                throw new IllegalArgumentException("regression data trains an MLP: use --model-kind MLP, not "
                        + kind);
            }
            return ModelArchitecture.mlp(1, widened(c), 1, rows.featureCount());
        }
        ImageDataset images = (ImageDataset) train;
        if (kind == ModelKind.MLP) {
            if (images.height() != images.width()) {
                throw new IllegalArgumentException("MLP search needs square images, got " + images.height() + "x"
                        + images.width());
            }
            return ModelArchitecture.mlp(images.height(), widened(c), images.numClasses(), images.channels());
        }
        if (images.height() < 8 || images.width() < 8) {
            throw new IllegalArgumentException("Wide ResNet search needs images of at least 8 x 8 pixels, got "
                    + images.height() + " x " + images.width() + " (use --model-kind MLP)");
        }
        return new ModelArchitecture(depth, c.widen(), images.numClasses(), images.channels(), variant);
    }

    private List<Integer> widened(SearchConfig c) {
        return hidden.stream().map(w -> Math.multiplyExact(w, c.widen())).toList();
    }

    /**
     * Sends the status line of a finished grid point (e.g. one computed elsewhere).
     *
     * @param result the finished point
     */
    public void report(SearchResult result) {
        SearchConfig c = result.config();
        status.accept(String.format(Locale.ROOT, "widen %d, prior %.3g, F %d: log p(D|M) %.2f, validation NLL "
                        + "%.4f", c.widen(), c.priorPrecision(), c.marglikFrequency(), result.logMarglik(),
                result.validationNll()) + (Double.isNaN(result.validationAccuracy()) ? ""
                : String.format(Locale.ROOT, ", accuracy %.3f", result.validationAccuracy())));
    }

    /**
     * The network family of every grid point.
     *
     * @return WRN or MLP
     */
    public ModelKind kind() {
        return kind;
    }

    /**
     * Wide ResNet depth of every grid point.
     *
     * @return the depth (0 in an MLP search)
     */
    public int depth() {
        return depth;
    }

    /**
     * Wide ResNet variant of every grid point.
     *
     * @return the variant (null in an MLP search)
     */
    public WideResNet.Variant variant() {
        return variant;
    }

    /**
     * Training options that each grid point overrides.
     *
     * @return the options
     */
    public OnlineMarglikOptions base() {
        return base;
    }

    /**
     * Results sorted by log marginal likelihood, best (highest) first; NaN last.
     *
     * @param results the results in any order
     * @return a sorted copy
     */
    public static List<SearchResult> byMarglik(List<SearchResult> results) {
        List<SearchResult> out = new ArrayList<>(results);
        out.sort(Comparator.comparingDouble((SearchResult r) -> Double.isNaN(r.logMarglik())
                ? Double.NEGATIVE_INFINITY : r.logMarglik()).reversed());
        return out;
    }

    /**
     * Results sorted by validation NLL (for regression: by held-out log-likelihood), best (lowest NLL) first.
     *
     * @param results the results in any order
     * @return a sorted copy
     */
    public static List<SearchResult> byValidationNll(List<SearchResult> results) {
        List<SearchResult> out = new ArrayList<>(results);
        out.sort(Comparator.comparingDouble(SearchResult::validationNll));
        return out;
    }

    /** The network's outputs (logits, or standardised regression means) on {@code data}, in float64. */
    private static INDArray predict(Network net, SupervisedDataset<?> data, int batch) {
        List<INDArray> parts = new ArrayList<>();
        for (Iterator<Batch> batches = data.asBatches(batch); batches.hasNext(); ) {
            parts.add(net.forward(batches.next().inputs(), Mode.EVAL).castTo(DataType.DOUBLE));
        }
        return Nd4j.vstack(parts);
    }
}
