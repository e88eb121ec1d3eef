package io.kronlaplace.hyperopt;

/**
 * What online training recorded for one epoch.
 *
 * @param epoch            epoch number, 1-based
 * @param trainLoss        mean negative log-likelihood of the epoch's mini-batches (without the prior term)
 * @param trainAccuracy    fraction of the epoch's training examples classified correctly during training (NaN for
 *                         regression)
 * @param learningRate     learning rate of the epoch's last step
 * @param logMarglik       log marginal likelihood after the epoch's hyper-steps, NaN when there were none
 * @param priorPrecisions  the learned prior precisions after the epoch, one per group
 * @param augmentation     augmentation magnitudes |eta| after the epoch (empty without learned augmentation)
 * @param trainSeconds     wall time of the epoch's optimiser steps
 * @param marglikSeconds   wall time of the curvature fit and hyper-steps (0 when none)
 * @param sigma            the observation noise after the epoch (1 for classification)
 * @param testAccuracy     the point estimate's accuracy on the test set after the epoch, NaN when not evaluated (see
 *                         {@link EpochTestEvaluation})
 * @param testNll          its mean negative log-likelihood on the test set (nats), NaN when not evaluated
 */
public record EpochSummary(int epoch, double trainLoss, double trainAccuracy, double learningRate, double logMarglik,
                           double[] priorPrecisions, double[] augmentation, double trainSeconds,
                           double marglikSeconds, double sigma, double testAccuracy, double testNll) {
}
