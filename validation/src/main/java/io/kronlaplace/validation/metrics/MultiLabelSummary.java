package io.kronlaplace.validation.metrics;

/**
 * Multi-label binary metrics of one method on one evaluation set (e.g. the tasks of ogbg-molpcba).
 *
 * @param count            examples
 * @param observed         observed (not missing) labels
 * @param averagePrecision mean over the tasks with both classes observed of each task's average precision (NaN for
 *                         no such task)
 * @param nll              mean negative log-likelihood per observed label (nats)
 * @param brier            mean squared error of the probabilities per observed label
 */
public record MultiLabelSummary(int count, long observed, double averagePrecision, double nll, double brier) {
}
