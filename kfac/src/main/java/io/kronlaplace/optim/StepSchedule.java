package io.kronlaplace.optim;

/**
 * Step decay (PyTorch's {@code StepLR}): {@code rate(t) = base * gamma^floor(t / stepSize)}.
 *
 * @param baseRate rate of the first {@code stepSize} steps, > 0
 * @param stepSize steps between decays, >= 1
 * @param gamma    multiplicative factor per decay, in (0, 1]
 */
public record StepSchedule(double baseRate, long stepSize, double gamma) implements LearningRateSchedule {
    /**
     * Validates the settings.
     *
     * @param baseRate rate of the first {@code stepSize} steps, finite and &gt; 0
     * @param stepSize steps between decays, &gt;= 1
     * @param gamma    multiplicative factor per decay, in (0, 1]
     * @throws IllegalArgumentException when a setting is outside its range
     */
    public StepSchedule {
        LearningRateSchedule.requirePositiveRate(baseRate, "step schedule base rate");
        if (stepSize < 1) {
            throw new IllegalArgumentException("step schedule needs stepSize >= 1, got " + stepSize);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("step schedule gamma must be in (0, 1], got " + gamma);
        }
    }

    @Override
    public double rate(long step) {
        return baseRate * Math.pow(gamma, Math.max(step, 0) / stepSize);
    }
}
