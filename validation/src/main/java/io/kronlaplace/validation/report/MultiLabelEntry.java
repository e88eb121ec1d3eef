package io.kronlaplace.validation.report;

import io.kronlaplace.validation.metrics.MultiLabelSummary;

/**
 * Multi-label binary metrics of one method on one evaluation set.
 *
 * @param method  method name
 * @param set     evaluation set name
 * @param summary the metrics
 */
public record MultiLabelEntry(String method, String set, MultiLabelSummary summary) {
}
