package io.kronlaplace.hyperopt;

/** Progress callbacks of {@link OnlineMarglikTrainer} (for progress bars and logs); all methods default to no-ops. */
public interface TrainingListener {
    /** An epoch (1-based) with {@code batches} mini-batches starts. */
    default void epochStarted(int epoch, int batches) {
    }

    /** A mini-batch finished with this mean loss. */
    default void batchFinished(int epoch, int batch, double loss) {
    }

    /** A marginal-likelihood update starts: one curvature pass over {@code curvatureBatches} then K hyper-steps. */
    default void marglikStarted(int epoch, int curvatureBatches, int hypersteps) {
    }

    /** One batch of the curvature pass finished. */
    default void curvatureBatchFinished(int epoch, int batch) {
    }

    /** One hyper-step finished at this log marginal likelihood. */
    default void hyperstepFinished(int epoch, int step, double logMarglik) {
    }

    /**
     * One step on the learned augmentation magnitudes finished (learned augmentation only; the step precedes the
     * prior step of the same index).
     *
     * @param epoch      the epoch (1-based) of the marginal-likelihood update
     * @param step       the index of the step within the update (0-based)
     * @param magnitudes |eta| before the step, one per {@link io.kronlaplace.hyperopt.augment.AffineGenerator}
     * @param gradient   d log p(D|M) / d eta at that eta on the step's mini-batch, one per generator
     * @param stepped    |eta| after the step, one per generator (0 for generators that are not learned)
     */
    default void augmentationStepFinished(int epoch, int step, double[] magnitudes, double[] gradient,
                                          double[] stepped) {
    }

    /** An epoch finished and (when checkpointing) its checkpoint is on disk. */
    default void epochFinished(EpochSummary summary) {
    }

    /** Does nothing. */
    TrainingListener NONE = new TrainingListener() {
    };
}
