package io.kronlaplace.optim;

/** A fixed learning rate. */
public record ConstantSchedule(double learningRate) implements LearningRateSchedule {
    /** Validates the rate (finite, > 0). */
    public ConstantSchedule {
        LearningRateSchedule.requirePositiveRate(learningRate, "learning rate");
    }

    @Override
    public double rate(long step) {
        return learningRate;
    }
}
