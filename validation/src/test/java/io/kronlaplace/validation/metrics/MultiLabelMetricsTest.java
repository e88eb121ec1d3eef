package io.kronlaplace.validation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MultiLabelMetricsTest {
    private static final double NAN = Double.NaN;

    @Test
    void scoresEveryObservedLabelAndSkipsMissingOnes() {
        INDArray p = Nd4j.createFromArray(new double[][] {{0.8, 0.3}, {0.4, 0.9}, {0.3, 0.2}});
        INDArray y = Nd4j.createFromArray(new double[][] {{1, NAN}, {0, 1}, {1, 0}});
        MultiLabelSummary s = MultiLabelMetrics.summarize(p, y);
        assertEquals(3, s.count());
        assertEquals(5, s.observed());
        // observed (p, y): (.8, 1) (.4, 0) (.3, 1) (.9, 1) (.2, 0)
        double nll = -(Math.log(0.8) + Math.log(0.6) + Math.log(0.3) + Math.log(0.9) + Math.log(0.8)) / 5;
        assertEquals(nll, s.nll(), 1e-15);
        assertEquals((0.04 + 0.16 + 0.49 + 0.01 + 0.04) / 5, s.brier(), 1e-15);
        // task 0 ranks .8 (+), .4 (-), .3 (+): AP = (1 + 2/3) / 2; task 1 ranks .9 (+) above .2 (-): AP = 1
        assertEquals((5.0 / 6 + 1) / 2, s.averagePrecision(), 1e-15);
    }

    @Test
    void certainWrongProbabilitiesHitTheLogFloorInsteadOfInfinity() {
        INDArray p = Nd4j.createFromArray(new double[][] {{0.0}, {1.0}});
        INDArray y = Nd4j.createFromArray(new double[][] {{1}, {0}});
        assertEquals(-Math.log(ClassificationMetrics.LOG_FLOOR), MultiLabelMetrics.summarize(p, y).nll(), 1e-9);
    }

    @Test
    void averagePrecisionIsNaNWhenNoTaskHasBothClasses() {
        INDArray p = Nd4j.createFromArray(new double[][] {{0.9, 0.2}, {0.6, 0.4}});
        INDArray y = Nd4j.createFromArray(new double[][] {{1, 0}, {1, NAN}});
        MultiLabelSummary s = MultiLabelMetrics.summarize(p, y);
        assertTrue(Double.isNaN(s.averagePrecision()));
        assertEquals(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3, s.nll(), 1e-15);
    }

    @Test
    void rejectsBadInputNamingTheProblem() {
        INDArray y = Nd4j.createFromArray(new double[][] {{1}, {0}});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MultiLabelMetrics.summarize(
                Nd4j.createFromArray(new double[][] {{1.5}, {0.5}}), y)).getMessage().contains("not in [0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MultiLabelMetrics.summarize(
                Nd4j.createFromArray(new double[][] {{0.5}, {0.5}}), Nd4j.createFromArray(new double[][] {{0.5},
                        {0}}))).getMessage().contains("not 0, 1 or NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MultiLabelMetrics.summarize(
                Nd4j.createFromArray(new double[][] {{0.5}, {0.5}}), Nd4j.createFromArray(new double[][] {{NAN},
                        {NAN}}))).getMessage().contains("no observed label"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MultiLabelMetrics.summarize(
                Nd4j.createFromArray(new double[][] {{0.5, 0.5}}), y)).getMessage().contains("one shape"));
    }
}
