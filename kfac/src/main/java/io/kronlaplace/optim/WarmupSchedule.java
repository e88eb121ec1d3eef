package io.kronlaplace.optim;

import java.util.Objects;

/**
 * A linear warm-up in front of another schedule: {@code rate(t) = after(0) (t + 1) / W} for the first W steps, then
 * {@code after(t - W)}. Optimisers compared with each other use the same warm-up and schedule, so only the update
 * rule differs.
 *
 * @param after       the schedule that follows the warm-up (its step 0 is step W here)
 * @param warmupSteps W, >= 0 (0: no warm-up)
 */
public record WarmupSchedule(LearningRateSchedule after, long warmupSteps) implements LearningRateSchedule {
    /** Validates the settings. */
    public WarmupSchedule {
        Objects.requireNonNull(after, "after");
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
    }

    @Override
    public double rate(long step) {
        return step < warmupSteps ? after.rate(0) * (step + 1) / warmupSteps : after.rate(step - warmupSteps);
    }
}
