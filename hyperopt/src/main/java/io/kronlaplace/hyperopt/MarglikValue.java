package io.kronlaplace.hyperopt;

/**
 * The log marginal likelihood at given prior precisions and its gradient w.r.t. the log precisions.
 *
 * @param value       log p(D | M), nats summed over the training set
 * @param logPriorGradient d value / d log delta_g, one per prior group
 */
public record MarglikValue(double value, double[] logPriorGradient) {
}
