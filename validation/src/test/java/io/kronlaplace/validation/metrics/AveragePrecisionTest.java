package io.kronlaplace.validation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Average precision against values worked out by hand, including ties, and the OGB mean over tasks. */
class AveragePrecisionTest {

    /** Ranking 1, 0, 1, 0: precision 1 at the first positive, 2/3 at the second, so AP = (1 + 2/3) / 2. */
    @Test
    void meanPrecisionAtEachPositiveWithoutTies() {
        assertEquals((1 + 2.0 / 3) / 2, AveragePrecision.of(new double[] {0.9, 0.8, 0.7, 0.1},
                new double[] {1, 0, 1, 0}), 1e-15);
        assertEquals(1.0, AveragePrecision.of(new double[] {3, 2, 1}, new double[] {1, 1, 0}), 1e-15);
    }

    /**
     * Scores 0.9 (positive), then 0.5 tied between a positive and a negative, then 0.1 (positive): thresholds give
     * (recall, precision) = (1/3, 1), (2/3, 2/3), (1, 3/4), so AP = 1/3 + 1/3 * 2/3 + 1/3 * 3/4.
     */
    @Test
    void tiedScoresEnterTogether() {
        double expected = 1.0 / 3 + 2.0 / 9 + 1.0 / 4;
        assertEquals(expected, AveragePrecision.of(new double[] {0.9, 0.5, 0.5, 0.1}, new double[] {1, 1, 0, 1}),
                1e-15);
    }

    /** Task 0 has AP 1, task 1 (1, 0, 1 after dropping the missing label) 5/6, task 2 only positives: skipped. */
    @Test
    void meanOverTasksSkipsMissingLabelsAndSingleClassTasks() {
        double nan = Double.NaN;
        double mean = AveragePrecision.meanOverTasks(
                Nd4j.createFromArray(new double[][] {{0.9, 0.9, 0.2}, {0.1, 0.8, 0.3}, {0.5, 0.7, 0.1},
                    {0.2, 0.6, 0.9}}),
                Nd4j.createFromArray(new double[][] {{1, 1, 1}, {0, 0, nan}, {1, nan, 1}, {0, 1, nan}}));
        assertEquals((1 + 5.0 / 6) / 2, mean, 1e-15);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> AveragePrecision.of(new double[] {1}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> AveragePrecision.of(new double[] {1, 2},
                new double[] {0.5, 1}));
        assertThrows(IllegalArgumentException.class, () -> AveragePrecision.meanOverTasks(
                Nd4j.createFromArray(new double[][] {{1}, {2}}), Nd4j.createFromArray(new double[][] {{1}, {1}})));
    }
}
