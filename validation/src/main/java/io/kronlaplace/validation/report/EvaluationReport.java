package io.kronlaplace.validation.report;

import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.metrics.ClassificationMetrics;
import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.metrics.OodDetection;
import io.kronlaplace.validation.metrics.OodResult;
import io.kronlaplace.validation.metrics.OodScore;
import io.kronlaplace.validation.metrics.Probabilities;
import io.kronlaplace.validation.metrics.MultiLabelSummary;
import io.kronlaplace.validation.metrics.RegressionSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Metrics of several methods on several evaluation sets (clean test, shift levels, out-of-distribution), plus
 * optional training curves: the content of one evaluation report. Immutable; build it with {@link #builder(String)}
 * and write it with {@link ReportWriter}.
 *
 * <pre>{@code
 * EvaluationReport report = EvaluationReport.builder("WRN-16-4 on CIFAR-10")
 *         .addClassification("MAP", EvaluationSet.clean("test"), mapProbs, labels)
 *         .addClassification("Laplace probit", EvaluationSet.clean("test"), probitProbs, labels)
 *         .addOod("MAP", "test", "SVHN", mapProbs, mapOodProbs)
 *         .trainingCurves(curves)
 *         .build();
 * ReportWriter.write(report, Path.of("runs/report"));
 * }</pre>
 */
public final class EvaluationReport {
    private final String title;
    private final String description;
    private final int bins;
    private final List<ClassificationEntry> classification;
    private final List<OodEntry> ood;
    private final List<RegressionEntry> regression;
    private final List<MultiLabelEntry> multiLabel;
    private final TrainingCurves training;
    private final Map<String, String> runDetails;
    private final Map<String, Double> priorPrecisions;

    private EvaluationReport(Builder b) {
        this.title = b.title;
        this.description = b.description;
        this.bins = b.bins;
        this.classification = List.copyOf(b.classification);
        this.ood = List.copyOf(b.ood);
        this.regression = List.copyOf(b.regression);
        this.multiLabel = List.copyOf(b.multiLabel);
        this.training = b.training;
        this.runDetails = Collections.unmodifiableMap(new LinkedHashMap<>(b.runDetails));
        this.priorPrecisions = Collections.unmodifiableMap(new LinkedHashMap<>(b.priorPrecisions));
    }

    /**
     * A builder for a report with the given title.
     *
     * @param title the report title
     * @return a new builder
     */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /**
     * Report title.
     *
     * @return the title
     */
    public String title() {
        return title;
    }

    /**
     * Free-text description (may be empty).
     *
     * @return the description, empty when none was given
     */
    public String description() {
        return description;
    }

    /**
     * Number of calibration bins used for the classification metrics.
     *
     * @return the number of equal-width confidence bins
     */
    public int bins() {
        return bins;
    }

    /**
     * Classification results in insertion order.
     *
     * @return the classification entries
     */
    public List<ClassificationEntry> classification() {
        return classification;
    }

    /**
     * Out-of-distribution detection results in insertion order.
     *
     * @return the OOD entries
     */
    public List<OodEntry> ood() {
        return ood;
    }

    /**
     * Regression results in insertion order.
     *
     * @return the regression entries
     */
    public List<RegressionEntry> regression() {
        return regression;
    }

    /**
     * Multi-label binary results in insertion order.
     *
     * @return the multi-label entries
     */
    public List<MultiLabelEntry> multiLabel() {
        return multiLabel;
    }

    /**
     * Training curves, if given.
     *
     * @return the training curves, empty when none were given
     */
    public Optional<TrainingCurves> training() {
        return Optional.ofNullable(training);
    }

    /**
     * How the results were produced (command line, seed, data sizes...), in display order.
     *
     * @return setting name to its value; empty when none was given
     */
    public Map<String, String> runDetails() {
        return runDetails;
    }

    /**
     * The prior precision of each parameter group of the evaluated posterior, in the network's order.
     *
     * @return group name (for example a layer's weight) to precision; empty when none was given
     */
    public Map<String, Double> priorPrecisions() {
        return priorPrecisions;
    }

    /**
     * All method names in order of first appearance (classification, OOD, regression, then multi-label).
     *
     * @return the method names, without duplicates
     */
    public List<String> methods() {
        Set<String> names = new LinkedHashSet<>();
        classification.forEach(e -> names.add(e.method()));
        ood.forEach(e -> names.add(e.method()));
        regression.forEach(e -> names.add(e.method()));
        multiLabel.forEach(e -> names.add(e.method()));
        return new ArrayList<>(names);
    }

    /**
     * All classification evaluation sets in order of first appearance.
     *
     * @return the evaluation sets, without duplicates
     */
    public List<EvaluationSet> evaluationSets() {
        Map<String, EvaluationSet> sets = new LinkedHashMap<>();
        classification.forEach(e -> sets.putIfAbsent(e.set().name(), e.set()));
        return new ArrayList<>(sets.values());
    }

    /**
     * The entry shown in a method's reliability diagram and confidence histogram: its first clean
     * ({@link ShiftKind#NONE}) set, or its first set when it has no clean one.
     *
     * @param method the method's name
     * @return its reference entry, empty when the method has no classification entry
     */
    public Optional<ClassificationEntry> referenceEntry(String method) {
        Optional<ClassificationEntry> clean = classification.stream()
                .filter(e -> e.method().equals(method) && e.set().kind() == ShiftKind.NONE).findFirst();
        return clean.isPresent() ? clean
                : classification.stream().filter(e -> e.method().equals(method)).findFirst();
    }

    /** Builder of {@link EvaluationReport}. */
    public static final class Builder {
        private final String title;
        private String description = "";
        private int bins = ClassificationMetrics.DEFAULT_BINS;
        private OodScore oodScore = OodScore.MAX_PROBABILITY;
        private final List<ClassificationEntry> classification = new ArrayList<>();
        private final List<OodEntry> ood = new ArrayList<>();
        private final List<RegressionEntry> regression = new ArrayList<>();
        private final List<MultiLabelEntry> multiLabel = new ArrayList<>();
        private final Map<String, EvaluationSet> sets = new LinkedHashMap<>();
        private TrainingCurves training;
        private final Map<String, String> runDetails = new LinkedHashMap<>();
        private final Map<String, Double> priorPrecisions = new LinkedHashMap<>();

        private Builder(String title) {
            if (title == null || title.isBlank()) {
                throw new IllegalArgumentException("report title must not be blank");
            }
            this.title = title;
        }

        /**
         * A free-text description shown under the title.
         *
         * @param text the description, may be empty
         * @return this builder
         */
        public Builder description(String text) {
            this.description = text == null ? "" : text;
            return this;
        }

        /**
         * Calibration bins for entries added from probabilities after this call (default 15).
         *
         * @param count number of equal-width confidence bins, >= 1
         * @return this builder
         */
        public Builder bins(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("number of bins must be positive, got " + count);
            }
            this.bins = count;
            return this;
        }

        /**
         * The OOD score used by {@link #addOod(String, String, String, double[][], double[][])} (default max p).
         *
         * @param score how a probability row becomes an in-distribution score
         * @return this builder
         */
        public Builder oodScore(OodScore score) {
            this.oodScore = score;
            return this;
        }

        /**
         * Computes and adds the classification metrics of {@code method} on {@code set}.
         *
         * @param method        the method's name, not blank
         * @param set           the evaluation set
         * @param probabilities {@code N x C} predictive probabilities on the set
         * @param labels        true class of each row, in 0..C-1
         * @return this builder
         * @throws IllegalArgumentException when the (method, set) pair was added before or a set name was added with
         *                                  another kind or level
         */
        public Builder addClassification(String method, EvaluationSet set, double[][] probabilities, int[] labels) {
            return addClassification(method, set, ClassificationMetrics.summarize(probabilities, labels, bins));
        }

        /**
         * {@link #addClassification(String, EvaluationSet, double[][], int[])} on an INDArray [N, C].
         *
         * @param method        the method's name, not blank
         * @param set           the evaluation set
         * @param probabilities {@code N x C} predictive probabilities on the set
         * @param labels        true class of each row, in 0..C-1
         * @return this builder
         * @throws IllegalArgumentException when the (method, set) pair was added before or a set name was added with
         *                                  another kind or level
         */
        public Builder addClassification(String method, EvaluationSet set, INDArray probabilities, int[] labels) {
            return addClassification(method, set, Probabilities.toMatrix(probabilities), labels);
        }

        /**
         * Adds precomputed classification metrics. Each (method, set) pair may occur once.
         *
         * @param method  the method's name, not blank
         * @param set     the evaluation set
         * @param summary the method's classification metrics on the set
         * @return this builder
         * @throws IllegalArgumentException when the (method, set) pair was added before or a set name was added with
         *                                  another kind or level
         */
        public Builder addClassification(String method, EvaluationSet set, ClassificationSummary summary) {
            requireName(method, "method");
            EvaluationSet known = sets.putIfAbsent(set.name(), set);
            if (known != null && !known.equals(set)) {
                throw new IllegalArgumentException("evaluation set '" + set.name() + "' was added as " + known
                        + " and now as " + set);
            }
            for (ClassificationEntry e : classification) {
                if (e.method().equals(method) && e.set().name().equals(set.name())) {
                    throw new IllegalArgumentException("duplicate classification result for method '" + method
                            + "' on set '" + set.name() + "'");
                }
            }
            classification.add(new ClassificationEntry(method, set, summary));
            return this;
        }

        /**
         * Computes and adds OOD detection metrics from in- and out-of-distribution predictive probabilities.
         *
         * @param method           the method's name, not blank
         * @param inSet            name of the in-distribution set
         * @param oodSet           name of the out-of-distribution set
         * @param inProbabilities  {@code N_in x C} predictive probabilities on the in-distribution set
         * @param outProbabilities {@code N_out x C} predictive probabilities on the out-of-distribution set
         * @return this builder
         */
        public Builder addOod(String method, String inSet, String oodSet, double[][] inProbabilities,
                double[][] outProbabilities) {
            return addOod(method, inSet, oodSet, OodDetection.evaluate(inProbabilities, outProbabilities, oodScore));
        }

        /**
         * {@link #addOod(String, String, String, double[][], double[][])} on INDArrays [N, C].
         *
         * @param method           the method's name, not blank
         * @param inSet            name of the in-distribution set
         * @param oodSet           name of the out-of-distribution set
         * @param inProbabilities  {@code N_in x C} predictive probabilities on the in-distribution set
         * @param outProbabilities {@code N_out x C} predictive probabilities on the out-of-distribution set
         * @return this builder
         */
        public Builder addOod(String method, String inSet, String oodSet, INDArray inProbabilities,
                INDArray outProbabilities) {
            return addOod(method, inSet, oodSet, OodDetection.evaluate(inProbabilities, outProbabilities,
                    oodScore));
        }

        /**
         * Adds a precomputed OOD detection result.
         *
         * @param method the method's name, not blank
         * @param inSet  name of the in-distribution set
         * @param oodSet name of the out-of-distribution set
         * @param result the AUROC and FPR of the method's score
         * @return this builder
         */
        public Builder addOod(String method, String inSet, String oodSet, OodResult result) {
            requireName(method, "method");
            requireName(inSet, "in-distribution set");
            requireName(oodSet, "out-of-distribution set");
            ood.add(new OodEntry(method, inSet, oodSet, result));
            return this;
        }

        /**
         * Adds regression metrics of {@code method} on the set named {@code set}.
         *
         * @param method  the method's name, not blank
         * @param set     name of the test set
         * @param summary the method's regression metrics on the set
         * @return this builder
         */
        public Builder addRegression(String method, String set, RegressionSummary summary) {
            requireName(method, "method");
            requireName(set, "set");
            regression.add(new RegressionEntry(method, set, summary));
            return this;
        }

        /**
         * Adds multi-label binary metrics of {@code method} on the set named {@code set}.
         *
         * @param method  the method's name, not blank
         * @param set     name of the test set
         * @param summary the method's multi-label metrics on the set
         * @return this builder
         */
        public Builder addMultiLabel(String method, String set, MultiLabelSummary summary) {
            requireName(method, "method");
            requireName(set, "set");
            multiLabel.add(new MultiLabelEntry(method, set, summary));
            return this;
        }

        /**
         * Training curves to plot and store (optional).
         *
         * @param curves the curves of the training run
         * @return this builder
         */
        public Builder trainingCurves(TrainingCurves curves) {
            this.training = curves;
            return this;
        }

        /**
         * Adds one setting of the run to the report's "Run" table (for example the command line or the seed).
         *
         * @param name  what the setting is; each name may occur once
         * @param value its value as shown
         * @return this builder
         * @throws IllegalArgumentException for a blank name, a null value or a name given twice
         */
        public Builder runDetail(String name, String value) {
            requireName(name, "run setting");
            if (value == null) {
                throw new IllegalArgumentException("run setting '" + name + "' has no value");
            }
            if (runDetails.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("run setting '" + name + "' was given twice");
            }
            return this;
        }

        /**
         * Adds the prior precision of one parameter group of the evaluated posterior.
         *
         * @param group     the group's name (for example {@code "block1.conv1.weight"}); each may occur once
         * @param precision its prior precision, finite and non-negative
         * @return this builder
         * @throws IllegalArgumentException for a blank or repeated name or a negative or non-finite precision
         */
        public Builder priorPrecision(String group, double precision) {
            requireName(group, "parameter group");
            if (!(precision >= 0) || Double.isInfinite(precision)) {
                throw new IllegalArgumentException("prior precision of '" + group + "' must be finite and >= 0, got "
                        + precision);
            }
            if (priorPrecisions.putIfAbsent(group, precision) != null) {
                throw new IllegalArgumentException("prior precision of '" + group + "' was given twice");
            }
            return this;
        }

        /**
         * The report.
         *
         * @return the report with every result added so far
         * @throws IllegalStateException when the report has no results and no training curves
         */
        public EvaluationReport build() {
            if (classification.isEmpty() && ood.isEmpty() && regression.isEmpty() && multiLabel.isEmpty()
                    && training == null) {
                throw new IllegalStateException("report '" + title + "' has no results and no training curves");
            }
            return new EvaluationReport(this);
        }

        private static void requireName(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " name must not be blank");
            }
        }
    }
}
