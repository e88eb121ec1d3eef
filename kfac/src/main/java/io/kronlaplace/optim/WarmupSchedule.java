package io.kronlaplace.optim;

import java.util.Objects;

/**
 * Linear warm-up in front of another schedule: {@code rate(t) = after.rate(0) (t + 1) / W} for {@code t < W}, then
 * {@code after.rate(t - W)}, so the first update already moves (at 1/W of the base rate) and the schedule behind it
 * starts from its own step 0 once the warm-up is over.
 *
 * @param warmupSteps W, >= 0 (0: no warm-up)
 * @param after       the schedule after the warm-up
 */
public record WarmupSchedule(long warmupSteps, LearningRateSchedule after) implements LearningRateSchedule {
    /**
     * Validates the settings.
     *
     * @param warmupSteps W, the number of warm-up steps, &gt;= 0 (0: no warm-up)
     * @param after       the schedule after the warm-up, whose step 0 is step W of this one; not null
     * @throws IllegalArgumentException when warmupSteps is negative
     * @throws NullPointerException     when {@code after} is null
     */
    public WarmupSchedule {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up needs warmupSteps >= 0, got " + warmupSteps);
        }
        Objects.requireNonNull(after, "schedule after the warm-up");
    }

    @Override
    public double rate(long step) {
        long t = Math.max(step, 0);
        return t < warmupSteps ? after.rate(0) * (t + 1) / warmupSteps : after.rate(t - warmupSteps);
    }
}
