package io.kronlaplace.hyperopt.checkpoint;

/**
 * The regression target standardisation and observation noise of a saved model: the network predicts
 * {@code (y - mean) / std}, with Gaussian noise of standard deviation {@code sigma} in those standardised units.
 *
 * @param mean  the training targets' mean
 * @param std   the training targets' standard deviation, positive
 * @param sigma the learned observation noise in standardised units, positive
 */
public record TargetScaling(double mean, double std, double sigma) {
    /**
     * Requires finite values and positive scales.
     *
     * @param mean  the training targets' mean, finite
     * @param std   the training targets' standard deviation, finite and positive
     * @param sigma the learned observation noise in standardised units, finite and positive
     * @throws IllegalArgumentException when a value is not finite or a scale is not positive
     */
    public TargetScaling {
        if (!Double.isFinite(mean) || !(std > 0) || !Double.isFinite(std) || !(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("target scaling needs a finite mean and positive finite std and "
                    + "sigma, got mean " + mean + ", std " + std + ", sigma " + sigma);
        }
    }
}
