package io.kronlaplace.hyperopt;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of online marginal-likelihood training: weights and hyperparameters of one and the same epoch, the one
 * with the highest log marginal likelihood (or the last epoch when none was computed).
 *
 * @param history        one summary per epoch
 * @param bestEpoch      the epoch whose weights had the highest log marginal likelihood (the last epoch when no
 *                       marginal likelihood was computed)
 * @param bestLogMarglik that log marginal likelihood (NaN when none was computed)
 * @param bestState      parameters and buffers of that epoch, by name (already loaded into the network)
 * @param priorPrecisions the prior precisions of the best epoch (after its update), one per group
 * @param eta            the augmentation magnitudes |eta| of the best epoch (after its update; empty without learned
 *                       augmentation): eta and -eta give the same augmentation
 * @param sigma          the observation noise of the best epoch (after its update; 1 for classification)
 */
public record TrainingResult(List<EpochSummary> history, int bestEpoch, double bestLogMarglik,
                             Map<String, INDArray> bestState, double[] priorPrecisions, double[] eta,
                             double sigma) {
}
