package io.kronlaplace.validation.metrics;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Regression metrics for Gaussian predictive distributions N(mean_i, variance_i) against observed targets y_i.
 * Every method validates lengths (equal, non-zero), finiteness, and positive variances, and throws
 * {@link IllegalArgumentException} naming the offending index otherwise.
 */
public final class RegressionMetrics {
    private RegressionMetrics() {
    }

    /**
     * Root mean squared error sqrt((1/N) sum_i (mean_i - y_i)^2).
     *
     * @param mean   predictive means, one per point
     * @param target observed targets, same length
     * @return the RMSE, in target units
     */
    public static double rmse(double[] mean, double[] target) {
        check(mean, null, target);
        double sum = 0.0;
        for (int i = 0; i < mean.length; i++) {
            double d = mean[i] - target[i];
            sum += d * d;
        }
        return Math.sqrt(sum / mean.length);
    }

    /**
     * Mean Gaussian negative log-likelihood (1/N) sum_i [0.5 log(2 pi variance_i) + (y_i - mean_i)^2 /
     * (2 variance_i)], in nats per point.
     *
     * @param mean     predictive means, one per point
     * @param variance predictive variances, each > 0
     * @param target   observed targets, same length
     * @return the mean NLL in nats per point
     */
    public static double gaussianNll(double[] mean, double[] variance, double[] target) {
        check(mean, variance, target);
        double sum = 0.0;
        for (int i = 0; i < mean.length; i++) {
            double d = target[i] - mean[i];
            sum += 0.5 * Math.log(2 * Math.PI * variance[i]) + d * d / (2 * variance[i]);
        }
        return sum / mean.length;
    }

    /**
     * Fraction of targets inside the central {@code level} predictive interval mean_i +- z sqrt(variance_i) with
     * z = Phi^-1((1 + level) / 2) (z = 0.9945 for 68%, 1.9600 for 95%); boundary points count as inside.
     *
     * @param mean     predictive means, one per point
     * @param variance predictive variances, each >= 0
     * @param target   observed targets, same length
     * @param level interval probability in (0, 1)
     * @return the fraction of covered targets, in [0, 1]
     */
    public static double coverage(double[] mean, double[] variance, double[] target, double level) {
        if (!(level > 0.0 && level < 1.0)) {
            throw new IllegalArgumentException("interval level must be in (0, 1), got " + level);
        }
        check(mean, variance, target);
        double z = new NormalDistribution(0, 1).inverseCumulativeProbability(0.5 + level / 2);
        int inside = 0;
        for (int i = 0; i < mean.length; i++) {
            if (Math.abs(target[i] - mean[i]) <= z * Math.sqrt(variance[i])) {
                inside++;
            }
        }
        return (double) inside / mean.length;
    }

    /**
     * Histogram of the probability integral transform u_i = Phi((y_i - mean_i) / sqrt(variance_i)): the fraction of
     * points with u in each of {@code bins} equal bins of [0, 1] (u = 1 counts in the last bin). A calibrated
     * predictive gives 1 / bins everywhere; a U shape means too narrow, a hump too wide.
     *
     * @param mean     predictive means
     * @param variance predictive variances
     * @param target   observed targets
     * @param bins     number of bins, >= 1
     * @return the fraction of points per bin
     * @throws IllegalArgumentException for bad lengths, values or bins
     */
    public static double[] pitHistogram(double[] mean, double[] variance, double[] target, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("PIT histogram needs >= 1 bins, got " + bins);
        }
        check(mean, variance, target);
        NormalDistribution normal = new NormalDistribution(0, 1);
        double[] fractions = new double[bins];
        for (int i = 0; i < mean.length; i++) {
            double u = normal.cumulativeProbability((target[i] - mean[i]) / Math.sqrt(variance[i]));
            fractions[Math.min(bins - 1, (int) (u * bins))] += 1.0 / mean.length;
        }
        return fractions;
    }

    /** Bins of the PIT histogram of {@link #summarize(double[], double[], double[])}. */
    public static final int PIT_BINS = 10;

    /**
     * RMSE, Gaussian NLL, coverage of the central 50%, 90% and 95% intervals and the {@link #PIT_BINS}-bin PIT
     * histogram.
     *
     * @param mean     predictive means
     * @param variance predictive variances
     * @param target   observed targets
     * @return the summary
     * @throws IllegalArgumentException for bad lengths or values
     */
    public static RegressionSummary summarize(double[] mean, double[] variance, double[] target) {
        return new RegressionSummary(mean.length, rmse(mean, target), gaussianNll(mean, variance, target),
                coverage(mean, variance, target, 0.50), coverage(mean, variance, target, 0.90),
                coverage(mean, variance, target, 0.95), pitHistogram(mean, variance, target, PIT_BINS));
    }

    /**
     * {@link #summarize(double[], double[], double[])} on vectors or [N, 1] columns.
     *
     * @param mean     predictive means, N values
     * @param variance predictive variances, N values
     * @param target   observed targets, N values
     * @return RMSE, NLL, interval coverages and PIT histogram
     */
    public static RegressionSummary summarize(INDArray mean, INDArray variance, INDArray target) {
        return summarize(Probabilities.toVector(mean), Probabilities.toVector(variance),
                Probabilities.toVector(target));
    }

    private static void check(double[] mean, double[] variance, double[] target) {
        if (mean.length == 0) {
            throw new IllegalArgumentException("no predictions: 0 predictive means");
        }
        if (mean.length != target.length || (variance != null && variance.length != mean.length)) {
            throw new IllegalArgumentException("length mismatch: " + mean.length + " means, "
                    + (variance == null ? "" : variance.length + " variances, ") + target.length + " targets");
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Double.isFinite(mean[i]) || !Double.isFinite(target[i])) {
                throw new IllegalArgumentException("point " + i + ": mean " + mean[i] + " and target " + target[i]
                        + " must be finite");
            }
            if (variance != null && !(variance[i] > 0.0 && Double.isFinite(variance[i]))) {
                throw new IllegalArgumentException("point " + i + ": variance " + variance[i]
                        + " must be positive and finite");
            }
        }
    }
}
