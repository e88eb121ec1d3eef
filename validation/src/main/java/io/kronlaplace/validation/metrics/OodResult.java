package io.kronlaplace.validation.metrics;

/**
 * Out-of-distribution detection quality of one method for one (in-distribution, OOD) pair.
 *
 * @param score         the in-distribution score used
 * @param auroc         area under the ROC curve (see {@link OodDetection#auroc})
 * @param fprAt95Tpr    false-positive rate at 95% true-positive rate (see {@link OodDetection#fprAtTpr})
 * @param inCount       number of in-distribution examples
 * @param outCount      number of out-of-distribution examples
 */
public record OodResult(OodScore score, double auroc, double fprAt95Tpr, int inCount, int outCount) {
}
