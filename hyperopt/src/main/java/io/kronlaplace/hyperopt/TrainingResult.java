package io.kronlaplace.hyperopt;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of online marginal-likelihood training.
 *
 * @param history        one summary per epoch
 * @param bestEpoch      the epoch whose weights had the highest log marginal likelihood (the last epoch when no
 *                       marginal likelihood was computed)
 * @param bestLogMarglik that log marginal likelihood (NaN when none was computed)
 * @param bestState      parameters and buffers of that epoch, by name (already loaded into the network)
 * @param priorPrecisions the learned prior precisions at the end, one per group
 * @param eta            the learned augmentation parameters at the end (empty without learned augmentation)
 * @param sigma          the learned observation noise at the end (1 for classification)
 */
public record TrainingResult(List<EpochSummary> history, int bestEpoch, double bestLogMarglik,
                             Map<String, INDArray> bestState, double[] priorPrecisions, double[] eta,
                             double sigma) {
}
