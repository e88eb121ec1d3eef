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
                rows.add(List.of(e.method(), e.set(), Integer.toString(s.count()), number(-s.nll()), number(s.rmse()),
                        number(s.coverage50()), number(s.coverage90()), number(s.coverage95())));
            }
            tables.add(new Table("Regression",
                    List.of("Method", "Set", "N", "Log-likelihood / point", "RMSE", "Coverage 50%", "Coverage 90%",
                            "Coverage 95%"), rows));
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
        rows.add(List.of("train loss", number(first.trainLoss()), number(last.trainLoss())));
        if (curves.hasLogMarginalLikelihood()) {
            double[] lml = curves.logMarginalLikelihood();
            rows.add(List.of("log marginal likelihood", number(firstFinite(lml, false)),
                    number(firstFinite(lml, true))));
        }
        for (String name : curves.hyperparameterNames()) {
            double[] values = curves.hyperparameter(name);
            rows.add(List.of(name, number(firstFinite(values, false)), number(firstFinite(values, true))));
        }
        return new Table("Training (" + epochs.size() + " epochs)",
                List.of("Quantity", "Epoch " + first.epoch(), "Epoch " + last.epoch()), rows);
    }

    private static double firstFinite(double[] values, boolean fromEnd) {
        for (int k = 0; k < values.length; k++) {
            double v = values[fromEnd ? values.length - 1 - k : k];
            if (Double.isFinite(v)) {
                return v;
            }
        }
        return Double.NaN;
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
