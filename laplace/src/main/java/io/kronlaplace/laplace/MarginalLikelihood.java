package io.kronlaplace.laplace;

/**
 * The Laplace log marginal likelihood of the fitted posterior at its current hyperparameters, with its closed-form
 * gradient w.r.t. the log-hyperparameters. The three gradient components are named {@code ...Gradient}: they are
 * derivatives of {@link #value()}, not log-hyperparameter values.
 *
 * @param value                  log p(D | M) (nats; summed over the data set)
 * @param logPriorGradient       d value / d log delta_k for each prior precision value (same order as the prior)
 * @param logSigmaGradient       d value / d log sigma (0 for classification, where sigma is fixed at 1)
 * @param logTemperatureGradient d value / d log T
 */
public record MarginalLikelihood(double value, double[] logPriorGradient, double logSigmaGradient,
                                 double logTemperatureGradient) {
    /**
     * Copies the gradient array.
     *
     * @param value                  log p(D | M)
     * @param logPriorGradient       d value / d log delta_k, copied
     * @param logSigmaGradient       d value / d log sigma
     * @param logTemperatureGradient d value / d log T
     */
    public MarginalLikelihood {
        logPriorGradient = logPriorGradient.clone();
    }

    /**
     * A copy of the prior-precision gradient.
     *
     * @return d value / d log delta_k for each prior precision value
     */
    @Override
    public double[] logPriorGradient() {
        return logPriorGradient.clone();
    }
}
