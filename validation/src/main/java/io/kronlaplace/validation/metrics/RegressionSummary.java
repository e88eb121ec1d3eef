package io.kronlaplace.validation.metrics;

/**
 * Regression metrics of one method on one evaluation set.
 *
 * @param count        number of points
 * @param rmse         root mean squared error of the predictive mean
 * @param nll          mean Gaussian negative log-likelihood (nats per point; the held-out log-likelihood is -nll)
 * @param coverage50   fraction of targets inside the central 50% predictive interval
 * @param coverage90   fraction of targets inside the central 90% predictive interval
 * @param coverage95   fraction of targets inside the central 95% predictive interval
 * @param pitHistogram fraction of targets whose probability integral transform Phi((y - mean) / sd) falls in each
 *                     of {@link RegressionMetrics#PIT_BINS} equal bins of [0, 1] (all equal for a calibrated
 *                     predictive)
 */
public record RegressionSummary(int count, double rmse, double nll, double coverage50, double coverage90,
                                double coverage95, double[] pitHistogram) {
    /**
     * Copies the histogram.
     *
     * @param count        number of points
     * @param rmse         root mean squared error of the predictive mean, in target units
     * @param nll          mean Gaussian negative log-likelihood, nats per point
     * @param coverage50   fraction of targets inside the central 50% predictive interval
     * @param coverage90   fraction of targets inside the central 90% predictive interval
     * @param coverage95   fraction of targets inside the central 95% predictive interval
     * @param pitHistogram fraction of targets whose probability integral transform falls in each equal-width bin of
     *                     [0, 1]
     */
    public RegressionSummary {
        pitHistogram = pitHistogram.clone();
    }

    /**
     * The PIT histogram (a copy).
     *
     * @return the fraction of points per bin
     */
    @Override
    public double[] pitHistogram() {
        return pitHistogram.clone();
    }
}
