package io.kronlaplace.hyperopt;

/**
 * What the mini-batch steps of one epoch report back.
 *
 * @param lossSum      the sum over mini-batches of the batch's mean loss times its row count
 * @param correct      correctly classified training examples (0 for regression)
 * @param lastRate     the learning rate of the epoch's last step
 * @param batchLosses  every mini-batch's mean loss, in order
 */
public record EpochSteps(double lossSum, long correct, double lastRate, double[] batchLosses)
        implements java.io.Serializable {
    /**
     * Copies the losses.
     *
     * @param lossSum     the sum over mini-batches of the batch's mean loss times its row count
     * @param correct     correctly classified training examples (0 for regression)
     * @param lastRate    the learning rate of the epoch's last step
     * @param batchLosses every mini-batch's mean loss, in order, not null (copied)
     * @throws NullPointerException when the losses are null
     */
    public EpochSteps {
        batchLosses = batchLosses.clone();
    }

    /**
     * The losses of the epoch's mini-batches.
     *
     * @return every mini-batch's mean loss, in order (a copy)
     */
    @Override
    public double[] batchLosses() {
        return batchLosses.clone();
    }
}
