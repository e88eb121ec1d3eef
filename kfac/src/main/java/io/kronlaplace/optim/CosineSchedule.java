package io.kronlaplace.optim;

/**
 * Cosine annealing (Loshchilov and Hutter; PyTorch's {@code CosineAnnealingLR} over one half period):
 * {@code rate(t) = min + (base - min) (1 + cos(pi t / T)) / 2} for {@code t <= T}, and {@code min} after T
 * (the rate stays at its floor instead of rising again).
 *
 * @param baseRate   rate at step 0, > 0
 * @param minRate    rate reached at step T, in {@code [0, baseRate]}; a zero floor is allowed, the last step then
 *                   moves nothing
 * @param totalSteps T, the number of steps of the annealing (e.g. epochs x batches per epoch), >= 1
 */
public record CosineSchedule(double baseRate, double minRate, long totalSteps) implements LearningRateSchedule {
    /**
     * Validates the settings.
     *
     * @param baseRate   rate at step 0, finite and &gt; 0
     * @param minRate    rate reached at step T, in {@code [0, baseRate]}
     * @param totalSteps T, the number of steps of the annealing, &gt;= 1
     * @throws IllegalArgumentException when a setting is outside its range
     */
    public CosineSchedule {
        LearningRateSchedule.requirePositiveRate(baseRate, "cosine schedule base rate");
        if (!(minRate >= 0 && minRate <= baseRate)) {
            throw new IllegalArgumentException("cosine schedule minimum rate must be in [0, " + baseRate + "], got "
                    + minRate);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("cosine schedule needs totalSteps >= 1, got " + totalSteps);
        }
    }

    /**
     * Annealing from {@code baseRate} to zero over {@code totalSteps}.
     *
     * @param baseRate   rate at step 0, finite and &gt; 0
     * @param totalSteps T, the number of steps of the annealing, &gt;= 1; the rate is 0 from step T on
     * @throws IllegalArgumentException when a setting is outside its range
     */
    public CosineSchedule(double baseRate, long totalSteps) {
        this(baseRate, 0.0, totalSteps);
    }

    @Override
    public double rate(long step) {
        long t = Math.min(Math.max(step, 0), totalSteps);
        return minRate + (baseRate - minRate) * (1 + Math.cos(Math.PI * t / totalSteps)) / 2;
    }
}
