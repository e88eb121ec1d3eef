package io.kronlaplace.optim;

/**
 * The learning rate as a function of the optimiser step: {@code rate(t)} is the rate used by the update with index
 * t (the first update has t = 0).
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * The learning rate of one update.
     *
     * @param step the index of the update, &gt;= 0 (the first update has 0)
     * @return the rate, finite and &gt; 0 (a schedule with a zero floor may return 0)
     */
    double rate(long step);

    /**
     * The same rate at every step.
     *
     * @param rate the learning rate, finite and &gt; 0
     * @return a {@link ConstantSchedule} of that rate
     * @throws IllegalArgumentException when the rate is not finite and positive
     */
    static LearningRateSchedule constant(double rate) {
        return new ConstantSchedule(rate);
    }

    /**
     * Checks a learning rate given to a schedule or an optimiser.
     *
     * @param rate the rate to check
     * @param what names the rate in the error message, e.g. "cosine schedule base rate"
     * @return {@code rate}
     * @throws IllegalArgumentException when {@code rate} is not a finite positive number
     */
    static double requirePositiveRate(double rate, String what) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + rate);
        }
        return rate;
    }
}
