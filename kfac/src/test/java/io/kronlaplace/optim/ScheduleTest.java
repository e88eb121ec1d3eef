package io.kronlaplace.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ScheduleTest {
    @Test
    void constantIsConstant() {
        LearningRateSchedule s = LearningRateSchedule.constant(0.3);
        assertEquals(0.3, s.rate(0));
        assertEquals(0.3, s.rate(1_000_000));
    }

    @Test
    void cosineFollowsTheHalfPeriodAndStaysAtTheFloor() {
        CosineSchedule s = new CosineSchedule(0.1, 0.001, 100);
        assertEquals(0.1, s.rate(0), 1e-15);
        assertEquals(0.001 + 0.099 * 0.5, s.rate(50), 1e-15);
        assertEquals(0.001 + 0.099 * (1 + Math.cos(Math.PI * 0.25)) / 2, s.rate(25), 1e-15);
        assertEquals(0.001, s.rate(100), 1e-15);
        assertEquals(0.001, s.rate(150), 1e-15);
        assertEquals(0.0, new CosineSchedule(0.1, 10).rate(10), 1e-15);
    }

    @Test
    void stepDecaysByGammaEveryStepSize() {
        StepSchedule s = new StepSchedule(0.1, 30, 0.1);
        assertEquals(0.1, s.rate(0), 1e-15);
        assertEquals(0.1, s.rate(29), 1e-15);
        assertEquals(0.01, s.rate(30), 1e-15);
        assertEquals(0.001, s.rate(89), 1e-15);
    }

    @Test
    void warmupRisesLinearlyThenHandsOverAtItsOwnStepZero() {
        WarmupSchedule s = new WarmupSchedule(4, new CosineSchedule(0.2, 10));
        assertEquals(0.05, s.rate(0), 1e-15);
        assertEquals(0.1, s.rate(1), 1e-15);
        assertEquals(0.2, s.rate(3), 1e-15);
        assertEquals(0.2, s.rate(4), 1e-15);
        assertEquals(0.2 * (1 + Math.cos(Math.PI * 0.3)) / 2, s.rate(7), 1e-15);
        assertEquals(0.0, s.rate(14), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new WarmupSchedule(-1, LearningRateSchedule.constant(1)));
        assertThrows(NullPointerException.class, () -> new WarmupSchedule(3, null));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0));
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0.1, 0.2, 10));
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StepSchedule(0.1, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new StepSchedule(0.1, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new StepSchedule(0.1, 10, 1.5));
    }

    @Test
    void warmupRisesLinearlyThenHandsOver() {
        WarmupSchedule s = new WarmupSchedule(4, new CosineSchedule(0.4, 0.0, 10));
        assertEquals(0.1, s.rate(0), 1e-15);
        assertEquals(0.3, s.rate(2), 1e-15);
        assertEquals(0.4, s.rate(4), 1e-15);
        assertEquals(0.2, s.rate(9), 1e-15);
        assertEquals(0.4, new WarmupSchedule(0, new CosineSchedule(0.4, 10)).rate(0),
                1e-15);
        assertThrows(IllegalArgumentException.class,
                () -> new WarmupSchedule(-1, new CosineSchedule(0.4, 10)));
    }
}
