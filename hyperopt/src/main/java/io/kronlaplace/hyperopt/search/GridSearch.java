package io.kronlaplace.hyperopt.search;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.metrics.ClassificationMetrics;
import io.kronlaplace.validation.metrics.Probabilities;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Grid search over Wide ResNet width, initial prior precision and marginal-likelihood frequency F: every grid point
 * is trained with online marginal-likelihood learning and scored by its best log marginal likelihood (needs only
 * training data) and by the MAP negative log-likelihood on a held-out validation split, so the two model-selection
 * criteria can be compared.
 */
public final class GridSearch {
    private final int depth;
    private final WideResNet.Variant variant;
    private final OnlineMarglikOptions base;
    private final Consumer<String> status;

    /**
     * @param depth   Wide ResNet depth (6n + 4)
     * @param variant BatchNorm or Fixup
     * @param base    training options; each grid point overrides the initial prior precision and F
     * @param status  receives a line per finished grid point
     */
    public GridSearch(int depth, WideResNet.Variant variant, OnlineMarglikOptions base, Consumer<String> status) {
        this.depth = depth;
        this.variant = Objects.requireNonNull(variant, "variant");
        this.base = Objects.requireNonNull(base, "base");
        this.status = Objects.requireNonNull(status, "status");
    }

    /** The Cartesian product of the value lists, in nested order (width outermost). */
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

    /** Trains and scores every grid point; results in grid order. */
    public List<SearchResult> run(List<SearchConfig> grid, ImageDataset train, ImageDataset validation,
                                  TrainingListener listener) {
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
     */
    public SearchResult runOne(SearchConfig c, ImageDataset train, ImageDataset validation,
                               TrainingListener listener) {
        long start = System.nanoTime();
        Network net = WideResNet.builder().depth(depth).widen(c.widen()).classes(train.numClasses())
                .inputChannels(train.channels()).variant(variant).seed(base.seed()).dataType(DataType.FLOAT)
                .build();
        OnlineMarglikOptions o = base.toBuilder().initialPriorPrecision(c.priorPrecision())
                .marglikFrequency(c.marglikFrequency()).build();
        TrainingResult r = new OnlineMarglikTrainer(net, train, o).train(listener);
        double[][] probs = Probabilities.toMatrix(predict(net, validation, o.batchSize()));
        return new SearchResult(c, r.bestLogMarglik(),
                ClassificationMetrics.negativeLogLikelihood(probs, validation.labels()),
                ClassificationMetrics.accuracy(probs, validation.labels()), net.numParameters(),
                (System.nanoTime() - start) / 1e9);
    }

    /** Sends the status line of a finished grid point (e.g. one computed elsewhere). */
    public void report(SearchResult result) {
        SearchConfig c = result.config();
        status.accept(String.format(Locale.ROOT, "widen %d, prior %.3g, F %d: log p(D|M) %.2f, validation NLL "
                        + "%.4f, accuracy %.3f", c.widen(), c.priorPrecision(), c.marglikFrequency(),
                result.logMarglik(), result.validationNll(), result.validationAccuracy()));
    }

    /** Wide ResNet depth of every grid point. */
    public int depth() {
        return depth;
    }

    /** Wide ResNet variant of every grid point. */
    public WideResNet.Variant variant() {
        return variant;
    }

    /** Training options that each grid point overrides. */
    public OnlineMarglikOptions base() {
        return base;
    }

    /** Results sorted by log marginal likelihood, best (highest) first; NaN last. */
    public static List<SearchResult> byMarglik(List<SearchResult> results) {
        List<SearchResult> out = new ArrayList<>(results);
        out.sort(Comparator.comparingDouble((SearchResult r) -> Double.isNaN(r.logMarglik())
                ? Double.NEGATIVE_INFINITY : r.logMarglik()).reversed());
        return out;
    }

    /** Results sorted by validation NLL, best (lowest) first. */
    public static List<SearchResult> byValidationNll(List<SearchResult> results) {
        List<SearchResult> out = new ArrayList<>(results);
        out.sort(Comparator.comparingDouble(SearchResult::validationNll));
        return out;
    }

    private static INDArray predict(Network net, ImageDataset data, int batch) {
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < data.size(); from += batch) {
            int[] idx = new int[Math.min(batch, data.size() - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            parts.add(Transforms.softmax(net.forward(data.subset(idx).images(), Mode.EVAL).castTo(DataType.DOUBLE),
                    true));
        }
        return Nd4j.vstack(parts);
    }
}
