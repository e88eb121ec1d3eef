package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.metrics.MultiLabelSummary;
import io.kronlaplace.validation.metrics.RegressionSummary;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The tables of a report: classification, OOD detection, regression, multi-label and a training summary. */
final class ReportTables {
    private ReportTables() {
    }

    static List<Table> of(EvaluationReport report) {
        List<Table> tables = new ArrayList<>();
        if (!report.classification().isEmpty()) {
            tables.add(classification(report));
        }
        if (!report.ood().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (OodEntry e : report.ood()) {
                rows.add(List.of(e.method(), e.inSet(), e.oodSet(), scoreName(e), number(e.result().auroc()),
                        number(e.result().fprAt95Tpr())));
            }
            tables.add(new Table("Out-of-distribution detection",
                    List.of("Method", "In-distribution", "OOD set", "Score", "AUROC", "FPR@95%TPR"), rows));
        }
        if (!report.regression().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (RegressionEntry e : report.regression()) {
                RegressionSummary s = e.summary();
                rows.add(List.of(e.method(), e.set(), Integer.toString(s.count()), number(s.rmse()), number(s.nll()),
                        number(s.coverage68()), number(s.coverage95())));
            }
            tables.add(new Table("Regression",
                    List.of("Method", "Set", "N", "RMSE", "NLL", "Coverage 68%", "Coverage 95%"), rows));
        }
        if (!report.multiLabel().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (MultiLabelEntry e : report.multiLabel()) {
                MultiLabelSummary s = e.summary();
                rows.add(List.of(e.method(), e.set(), Integer.toString(s.count()), Long.toString(s.observed()),
                        number(s.averagePrecision()), number(s.nll()), number(s.brier())));
            }
            tables.add(new Table("Multi-label",
                    List.of("Method", "Set", "N", "Observed labels", "AP", "NLL per label", "Brier per label"), rows));
        }
        report.training().filter(t -> !t.epochs().isEmpty()).ifPresent(t -> tables.add(training(t)));
        return tables;
    }

    private static Table classification(EvaluationReport report) {
        List<EvaluationSet> sets = report.evaluationSets();
        List<ClassificationEntry> entries = new ArrayList<>(report.classification());
        // group by evaluation set so methods are compared row by row
        entries.sort(Comparator.comparingInt(e -> sets.indexOf(e.set())));
        List<List<String>> rows = new ArrayList<>();
        for (ClassificationEntry e : entries) {
            ClassificationSummary s = e.summary();
            rows.add(List.of(e.set().name(), shift(e.set()), e.method(), Integer.toString(s.count()),
                    number(s.accuracy()), number(s.nll()), number(s.brier()), number(s.ece()), number(s.mce()),
                    number(s.meanConfidence()), number(s.meanEntropy())));
        }
        return new Table("Classification", List.of("Set", "Shift", "Method", "N", "Accuracy", "NLL", "Brier",
                "ECE", "MCE", "Mean confidence", "Mean entropy"), rows);
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

    private static String scoreName(OodEntry e) {
        return switch (e.result().score()) {
            case MAX_PROBABILITY -> "max probability";
            case NEGATIVE_ENTROPY -> "negative entropy";
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
