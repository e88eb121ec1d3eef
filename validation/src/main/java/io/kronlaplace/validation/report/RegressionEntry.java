package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.RegressionSummary;

/**
 * Regression metrics of one method on one evaluation set.
 *
 * @param method  method name
 * @param set     evaluation set name
 * @param summary the metrics
 */
public record RegressionEntry(String method, String set, RegressionSummary summary) {
}
