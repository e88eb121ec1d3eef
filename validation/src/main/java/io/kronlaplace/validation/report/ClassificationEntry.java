package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.ClassificationSummary;

/**
 * Classification metrics of one method on one evaluation set.
 *
 * @param method  method name (for example "MAP", "Laplace probit")
 * @param set     the evaluation set
 * @param summary the metrics
 */
public record ClassificationEntry(String method, EvaluationSet set, ClassificationSummary summary) {
}
