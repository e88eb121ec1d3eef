package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.List;

/**
 * Runs the evaluation of {@code evaluate}: in this JVM, or with its curvature pass and predictions elsewhere (e.g. on
 * a cluster); every runner adds the same results to the report as {@link ModelEvaluation#evaluate}.
 */
@FunctionalInterface
public interface EvaluationRunner {
    /** Evaluates in this JVM. */
    EvaluationRunner IN_PROCESS = (evaluation, architecture, train, test, shifts, ood, report) ->
            evaluation.evaluate(train, test, shifts, ood, report);

    /**
     * Fits the posterior on {@code train} and adds every method's results on every set to {@code report}.
     *
     * @param evaluation   the evaluation of the saved model: its network, prior, links and batch size
     * @param architecture what the evaluation's network is (to rebuild it elsewhere)
     * @param train        the normalised training images the posterior is fitted on
     * @param test         the normalised clean test set
     * @param shifts       normalised shifted versions of the test set (may be empty)
     * @param ood          the normalised out-of-distribution set, or null for none
     * @param report       receives every method's results and the posterior's prior precisions
     */
    void evaluate(ModelEvaluation evaluation, ModelArchitecture architecture, ImageDataset train, ImageDataset test,
                  List<ShiftedDataset> shifts, ImageDataset ood, EvaluationReport.Builder report);
}
