package io.kronlaplace.hyperopt;

/** Progress callbacks of {@link OnlineMarglikTrainer} (for progress bars and logs); all methods default to no-ops. */
public interface TrainingListener {
    /**
     * An epoch starts.
     *
     * @param epoch   the epoch, 1-based
     * @param batches the mini-batches of weight steps the epoch will run
     */
    default void epochStarted(int epoch, int batches) {
    }

    /**
     * A mini-batch's weight step finished.
     *
     * @param epoch the epoch, 1-based
     * @param batch the mini-batch within the epoch, 0-based
     * @param loss  the batch's mean loss (negative log-likelihood per example) before the step
     */
    default void batchFinished(int epoch, int batch, double loss) {
    }

    /**
     * A marginal-likelihood update starts: a curvature pass (two with learned augmentation, before and after the
     * augmentation steps), then up to K hyper-steps.
     *
     * @param epoch            the epoch, 1-based, whose update this is
     * @param curvatureBatches the batches of all curvature passes together, i.e. the calls of
     *                         {@link #curvatureBatchFinished} to come
     * @param hypersteps       K, the most hyper-steps (the prior steps can stop early once converged)
     */
    default void marglikStarted(int epoch, int curvatureBatches, int hypersteps) {
    }

    /**
     * One batch of a curvature pass finished.
     *
     * @param epoch the epoch, 1-based
     * @param batch the batch within its pass, 0-based
     */
    default void curvatureBatchFinished(int epoch, int batch) {
    }

    /**
     * One hyper-step finished.
     *
     * @param epoch      the epoch, 1-based
     * @param step       the step within the update, 0-based
     * @param logMarglik log p(D|M) reached by the step (for an augmentation step, the value it started from)
     */
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

    /**
     * An epoch finished and (when checkpointing) its checkpoint is on disk.
     *
     * @param summary the epoch's loss, accuracy, hyperparameters and time
     */
    default void epochFinished(EpochSummary summary) {
    }

    /** Does nothing. */
    TrainingListener NONE = new TrainingListener() {
    };
}
