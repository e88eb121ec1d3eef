package io.kronlaplace.validation.metrics;

/**
 * Regression metrics of one method on one evaluation set.
 *
 * @param count      number of points
 * @param rmse       root mean squared error of the predictive mean
 * @param nll        mean Gaussian negative log-likelihood (nats per point)
 * @param coverage68 fraction of targets inside the central 68% predictive interval
 * @param coverage95 fraction of targets inside the central 95% predictive interval
 */
public record RegressionSummary(int count, double rmse, double nll, double coverage68, double coverage95) {
}
