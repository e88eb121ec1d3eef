package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.metrics.MultiLabelSummary;
import io.kronlaplace.validation.metrics.OodResult;
import io.kronlaplace.validation.metrics.OodScore;
import io.kronlaplace.validation.metrics.RegressionSummary;
import io.kronlaplace.validation.metrics.ReliabilityBin;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The sections and tables of a report: the run's settings and learned prior precisions, one classification table per
 * evaluation set and one OOD table per (in-distribution, OOD) pair with methods as rows and the best value of each
 * column marked, the reliability bins, regression, multi-label, and the training summary with per-epoch metrics.
 */
final class ReportTables {
    /** Which end of a metric is better; {@code NONE} for descriptive columns that are never marked. */
    private enum Better {
        HIGHER, LOWER, NONE
    }

    /**
     * One numeric column of a table whose rows are {@code T}.
     *
     * @param name    column header
     * @param value   the cell's value (NaN shows as "n/a")
     * @param better  which end is marked as best
     * @param integer whether the value is a count (shown without decimals)
     */
    private record Column<T>(String name, ToDoubleFunction<T> value, Better better, boolean integer) {
        static <T> Column<T> of(String name, ToDoubleFunction<T> value, Better better) {
            return new Column<>(name, value, better, false);
        }

        static <T> Column<T> count(String name, ToDoubleFunction<T> value) {
            return new Column<>(name, value, Better.NONE, true);
        }
    }

    private ReportTables() {
    }

    /** Every section with at least one table or chart prefix, in display order. */
    static List<ReportSection> sections(EvaluationReport report) {
        List<ReportSection> sections = new ArrayList<>();
        List<Table> run = new ArrayList<>();
        if (!report.runDetails().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            report.runDetails().forEach((name, value) -> rows.add(List.of(name, value)));
            run.add(new Table("Settings", List.of("Setting", "Value"), rows));
        }
        if (!report.priorPrecisions().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            report.priorPrecisions().forEach((group, value) -> rows.add(List.of(group, number(value))));
            run.add(new Table("Prior precision per parameter group", List.of("Parameter group", "Prior precision"),
                    rows));
        }
        sections.add(new ReportSection("Run", List.of(), run));
        sections.add(new ReportSection("Classification", List.of(), classification(report)));
        sections.add(new ReportSection("Out-of-distribution detection", List.of("ood-"), ood(report)));
        sections.add(new ReportSection("Calibration", List.of("reliability-", "confidence-", "pit-"),
                reliabilityBins(report)));
        sections.add(new ReportSection("Distribution shift", List.of("shift-"), List.of()));
        List<Table> other = new ArrayList<>();
        if (!report.regression().isEmpty()) {
            other.add(regression(report));
        }
        if (!report.multiLabel().isEmpty()) {
            other.add(multiLabel(report));
        }
        sections.add(new ReportSection("Regression and multi-label", List.of(), other));
        List<Table> training = new ArrayList<>();
        report.training().filter(t -> !t.epochs().isEmpty()).ifPresent(t -> {
            training.add(training(t));
            training.add(perEpoch(t));
        });
        sections.add(new ReportSection("Training", List.of("training-"), training));
        return sections;
    }

    /** One table per evaluation set, methods as rows; the best accuracy, NLL, Brier, ECE and MCE are marked. */
    private static List<Table> classification(EvaluationReport report) {
        List<Column<ClassificationSummary>> columns = List.of(
                Column.count("N", ClassificationSummary::count),
                Column.of("Accuracy", ClassificationSummary::accuracy, Better.HIGHER),
                Column.of("NLL", ClassificationSummary::nll, Better.LOWER),
                Column.of("Brier", ClassificationSummary::brier, Better.LOWER),
                Column.of("ECE", ClassificationSummary::ece, Better.LOWER),
                Column.of("MCE", ClassificationSummary::mce, Better.LOWER),
                Column.of("Mean confidence", ClassificationSummary::meanConfidence, Better.NONE),
                Column.of("Mean entropy", ClassificationSummary::meanEntropy, Better.NONE));
        List<Table> tables = new ArrayList<>();
        for (EvaluationSet set : report.evaluationSets()) {
            List<ClassificationEntry> entries = report.classification().stream()
                    .filter(e -> e.set().equals(set)).toList();
            tables.add(metricTable(set.name() + " (" + shift(set) + ")", "Method",
                    entries.stream().map(ClassificationEntry::method).toList(),
                    entries.stream().map(ClassificationEntry::summary).toList(), columns));
        }
        return tables;
    }

    /**
     * One table per (in-distribution, OOD) pair, methods as rows, AUROC and FPR at 95% TPR per score; the best AUROC
     * (highest) and FPR (lowest) of each score are marked.
     */
    private static List<Table> ood(EvaluationReport report) {
        List<Table> tables = new ArrayList<>();
        for (OodPair pair : OodPair.of(report)) {
            List<String> methods = pair.methods();
            List<Column<String>> columns = new ArrayList<>();
            for (OodScore score : pair.scores()) {
                columns.add(Column.of("AUROC (" + scoreName(score) + ")",
                        m -> pair.result(m, score).map(OodResult::auroc).orElse(Double.NaN), Better.HIGHER));
                columns.add(Column.of("FPR@95%TPR (" + scoreName(score) + ")",
                        m -> pair.result(m, score).map(OodResult::fprAt95Tpr).orElse(Double.NaN), Better.LOWER));
            }
            tables.add(metricTable(pair.inSet() + " vs " + pair.oodSet() + " (out-of-distribution)", "Method",
                    methods, methods, columns));
        }
        return tables;
    }

    /**
     * The bins behind the reliability diagrams: per method, the examples in each bin and their accuracy (bins empty
     * for every method are left out).
     */
    private static List<Table> reliabilityBins(EvaluationReport report) {
        List<ClassificationEntry> references = report.classification().stream().map(ClassificationEntry::method)
                .distinct().map(m -> report.referenceEntry(m).orElseThrow()).toList();
        if (references.isEmpty()) {
            return List.of();
        }
        List<String> header = new ArrayList<>(List.of("Confidence bin"));
        for (ClassificationEntry e : references) {
            header.add("N (" + e.method() + ")");
            header.add("Accuracy (" + e.method() + ")");
        }
        List<List<String>> rows = new ArrayList<>();
        List<ReliabilityBin> bins = references.get(0).summary().reliability().bins();
        for (int b = 0; b < bins.size(); b++) {
            int index = b;
            if (references.stream().allMatch(e -> e.summary().reliability().bins().get(index).isEmpty())) {
                continue;
            }
            List<String> row = new ArrayList<>(List.of(String.format(Locale.ROOT, "%s%.3f, %.3f]", b == 0 ? "[" : "(",
                    bins.get(b).lower(), bins.get(b).upper())));
            for (ClassificationEntry e : references) {
                ReliabilityBin bin = e.summary().reliability().bins().get(b);
                row.add(Integer.toString(bin.count()));
                row.add(number(bin.accuracy()));
            }
            rows.add(row);
        }
        String sets = references.stream().map(e -> e.set().name()).distinct().collect(Collectors.joining(", "));
        return List.of(new Table("Reliability bins on " + sets, header, rows));
    }

    private static Table regression(EvaluationReport report) {
        List<List<String>> rows = new ArrayList<>();
        for (RegressionEntry e : report.regression()) {
            RegressionSummary s = e.summary();
            rows.add(List.of(e.method(), e.set(), Integer.toString(s.count()), number(-s.nll()), number(s.rmse()),
                    number(s.coverage50()), number(s.coverage90()), number(s.coverage95())));
        }
        return new Table("Regression", List.of("Method", "Set", "N", "Log-likelihood / point", "RMSE",
                "Coverage 50%", "Coverage 90%", "Coverage 95%"), rows);
    }

    private static Table multiLabel(EvaluationReport report) {
        List<List<String>> rows = new ArrayList<>();
        for (MultiLabelEntry e : report.multiLabel()) {
            MultiLabelSummary s = e.summary();
            rows.add(List.of(e.method(), e.set(), Integer.toString(s.count()), Long.toString(s.observed()),
                    number(s.averagePrecision()), number(s.nll()), number(s.brier())));
        }
        return new Table("Multi-label", List.of("Method", "Set", "N", "Observed labels", "AP", "NLL per label",
                "Brier per label"), rows);
    }

    /**
     * Training loss, test metrics and log marginal likelihood of every epoch (columns without any value are left
     * out); the best test accuracy, test NLL and log marginal likelihood are marked.
     */
    private static Table perEpoch(TrainingCurves curves) {
        List<Column<EpochRecord>> columns = new ArrayList<>();
        columns.add(Column.of("Train loss", EpochRecord::trainLoss, Better.NONE));
        List<Column<EpochRecord>> optional = List.of(
                Column.of("Test accuracy", EpochRecord::testAccuracy, Better.HIGHER),
                Column.of("Test NLL", EpochRecord::testNll, Better.LOWER),
                Column.of("Log marginal likelihood", EpochRecord::logMarginalLikelihood, Better.HIGHER));
        for (Column<EpochRecord> column : optional) {
            if (curves.epochs().stream().anyMatch(e -> Double.isFinite(column.value().applyAsDouble(e)))) {
                columns.add(column);
            }
        }
        return metricTable("Per epoch", "Epoch", curves.epochs().stream().map(e -> Integer.toString(e.epoch()))
                .toList(), curves.epochs(), columns);
    }

    /**
     * A table with one row per item: its label, then one cell per column; in each column with a better end and at
     * least two different finite values, every cell holding the best of them is marked.
     */
    private static <T> Table metricTable(String caption, String labelHeader, List<String> labels, List<T> items,
            List<Column<T>> columns) {
        List<String> header = new ArrayList<>(List.of(labelHeader));
        columns.forEach(c -> header.add(c.name()));
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < items.size(); r++) {
            List<String> row = new ArrayList<>(List.of(labels.get(r)));
            for (Column<T> c : columns) {
                double v = c.value().applyAsDouble(items.get(r));
                row.add(c.integer() ? Long.toString(Math.round(v)) : number(v));
            }
            rows.add(row);
        }
        Set<Integer> best = new HashSet<>();
        for (int c = 0; c < columns.size(); c++) {
            Column<T> column = columns.get(c);
            double[] values = items.stream().mapToDouble(column.value()).toArray();
            double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
            double max = Arrays.stream(finite).max().orElse(Double.NaN);
            double min = Arrays.stream(finite).min().orElse(Double.NaN);
            // a lone value, or a column of equal values, has no best
            if (column.better() == Better.NONE || finite.length < 2 || min == max) {
                continue;
            }
            double target = column.better() == Better.HIGHER ? max : min;
            for (int r = 0; r < values.length; r++) {
                if (values[r] == target) {
                    best.add(r * header.size() + c + 1);
                }
            }
        }
        return new Table(caption, header, rows, best);
    }

    private static Table training(TrainingCurves curves) {
        List<EpochRecord> epochs = curves.epochs();
        EpochRecord first = epochs.get(0);
        EpochRecord last = epochs.get(epochs.size() - 1);
        List<List<String>> rows = new ArrayList<>();
        rows.add(firstAndLast("train loss", curves.epochNumbers(), curves.trainLoss()));
        if (curves.hasLogMarginalLikelihood()) {
            rows.add(firstAndLast("log marginal likelihood", curves.epochNumbers(), curves.logMarginalLikelihood()));
        }
        for (String name : curves.hyperparameterNames()) {
            rows.add(firstAndLast(name, curves.epochNumbers(), curves.hyperparameter(name)));
        }
        for (String name : curves.metricNames()) {
            rows.add(firstAndLast(name, curves.epochNumbers(), curves.metric(name)));
        }
        return new Table("Training (" + epochs.size() + " epochs, " + first.epoch() + " to " + last.epoch() + ")",
                List.of("Quantity", "First value", "Last value"), rows);
    }

    /**
     * A row with a quantity's first and last finite values, each with the epoch it was recorded at: quantities such as
     * the log marginal likelihood exist only at some epochs, so a column per epoch would mislabel them.
     */
    private static List<String> firstAndLast(String name, double[] epochs, double[] values) {
        return List.of(name, finiteAt(epochs, values, false), finiteAt(epochs, values, true));
    }

    /** The first (or last) finite value as "value (epoch e)", or "n/a" when there is none. */
    private static String finiteAt(double[] epochs, double[] values, boolean fromEnd) {
        for (int k = 0; k < values.length; k++) {
            int i = fromEnd ? values.length - 1 - k : k;
            if (Double.isFinite(values[i])) {
                return number(values[i]) + " (epoch " + (long) epochs[i] + ")";
            }
        }
        return number(Double.NaN);
    }

    static String shift(EvaluationSet set) {
        return switch (set.kind()) {
            case NONE -> "clean";
            case ROTATION -> "rotation " + compact(set.level()) + "\u00b0";
            case GAUSSIAN_NOISE -> "noise std " + compact(set.level());
            case OUT_OF_DISTRIBUTION -> "out-of-distribution";
        };
    }

    /** The display name of an OOD score. */
    static String scoreName(OodScore score) {
        return switch (score) {
            case MAX_PROBABILITY -> "max probability";
            case NEGATIVE_ENTROPY -> "entropy";
        };
    }

    /** Four decimals, or "n/a" for NaN. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        double a = Math.abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-3) ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String compact(double v) {
        return new BigDecimal(String.format(Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString();
    }
}
