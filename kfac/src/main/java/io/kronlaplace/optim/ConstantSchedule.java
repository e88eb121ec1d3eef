package io.kronlaplace.optim;

/**
 * A fixed learning rate.
 *
 * @param learningRate the rate of every step, finite and &gt; 0
 */
public record ConstantSchedule(double learningRate) implements LearningRateSchedule {
    /**
     * Validates the rate.
     *
     * @param learningRate the rate of every step, finite and &gt; 0
     * @throws IllegalArgumentException when the rate is not finite and positive
     */
    public ConstantSchedule {
        LearningRateSchedule.requirePositiveRate(learningRate, "learning rate");
    }

    @Override
    public double rate(long step) {
        return learningRate;
    }
}
