package io.kronlaplace.laplace;

/**
 * The Laplace log marginal likelihood of the fitted posterior at its current hyperparameters, with its closed-form
 * gradient w.r.t. the log-hyperparameters.
 *
 * @param value           log p(D | M) (nats; summed over the data set)
 * @param logPrior        d value / d log delta_k for each prior precision value (same order as the prior)
 * @param logSigma        d value / d log sigma (0 for classification, where sigma is fixed at 1)
 * @param logTemperature  d value / d log T
 */
public record MarginalLikelihood(double value, double[] logPrior, double logSigma, double logTemperature) {
    /** Copies the gradient array. */
    public MarginalLikelihood {
        logPrior = logPrior.clone();
    }

    /** A copy of the prior-precision gradient. */
    @Override
    public double[] logPrior() {
        return logPrior.clone();
    }
}
