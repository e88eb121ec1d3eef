package io.kronlaplace.optim;

/**
 * The learning rate as a function of the optimiser step: {@code rate(t)} is the rate used by the update with index
 * t (the first update has t = 0).
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate of update {@code step} (>= 0); finite and > 0. */
    double rate(long step);

    /** The same rate at every step. */
    static LearningRateSchedule constant(double rate) {
        return new ConstantSchedule(rate);
    }

    /** Throws when {@code rate} is not a finite positive number. */
    static double requirePositiveRate(double rate, String what) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + rate);
        }
        return rate;
    }
}
