package io.kronlaplace.validation.metrics;

import static io.kronlaplace.validation.metrics.ClassificationMetricsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class RegressionMetricsTest {
    private static final double[] MEAN = {0, 1, 2};
    private static final double[] VAR = {1, 4, 0.25};
    private static final double[] Y = {1, 1, 3};

    @Test
    void rmseAndGaussianNllByHand() {
        assertEquals(Math.sqrt(2.0 / 3), RegressionMetrics.rmse(MEAN, Y), 1e-15);
        double nll = (0.5 * Math.log(2 * Math.PI) + 0.5 + 0.5 * Math.log(8 * Math.PI)
                + 0.5 * Math.log(Math.PI / 2) + 2.0) / 3;
        assertEquals(nll, RegressionMetrics.gaussianNll(MEAN, VAR, Y), 1e-14);
    }

    @Test
    void coverageOfCentralIntervals() {
        // |residual| / std = 1, 0, 2; z(68%) = 0.9945, z(95%) = 1.96
        assertEquals(1.0 / 3, RegressionMetrics.coverage(MEAN, VAR, Y, 0.68), 1e-15);
        assertEquals(2.0 / 3, RegressionMetrics.coverage(MEAN, VAR, Y, 0.95), 1e-15);
        // z(0.6827) = 1.0000: the one-standard-deviation residual is now inside
        assertEquals(2.0 / 3, RegressionMetrics.coverage(MEAN, VAR, Y, 0.6827), 1e-15);
        RegressionSummary s = RegressionMetrics.summarize(Nd4j.createFromArray(MEAN),
                Nd4j.createFromArray(VAR).reshape(3, 1), Nd4j.createFromArray(Y));
        assertEquals(3, s.count());
        // z(50%) = 0.6745 holds only the zero residual, z(90%) = 1.6449 also the one-sd residual
        assertEquals(1.0 / 3, s.coverage50(), 1e-15);
        assertEquals(2.0 / 3, s.coverage90(), 1e-15);
        assertEquals(2.0 / 3, s.coverage95(), 1e-15);
        assertEquals(Math.sqrt(2.0 / 3), s.rmse(), 1e-15);
        // PIT values Phi(1) = 0.841, Phi(0) = 0.5, Phi(2) = 0.977: bins 8, 5 and 9 of ten
        double[] pit = new double[10];
        pit[5] = 1.0 / 3;
        pit[8] = 1.0 / 3;
        pit[9] = 1.0 / 3;
        org.junit.jupiter.api.Assertions.assertArrayEquals(pit, s.pitHistogram(), 1e-15);
    }

    @Test
    void pitHistogramOfHandMadeResiduals() {
        // z = -3 (PIT 0.0013), -0.5 (0.309), 0.5 (0.691), 3 (0.9987): bins 0, 1, 2, 3 of four
        double[] mean = {0, 0, 0, 0};
        double[] variance = {1, 1, 1, 1};
        double[] target = {-3, -0.5, 0.5, 3};
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25},
                RegressionMetrics.pitHistogram(mean, variance, target, 4), 1e-15);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.5, 0.5},
                RegressionMetrics.pitHistogram(mean, variance, target, 2), 1e-15);
        assertMessage("PIT histogram needs >= 1 bins", () -> RegressionMetrics.pitHistogram(mean, variance,
                target, 0));
    }

    @Test
    void badInputIsRejected() {
        assertMessage("length mismatch: 3 means, 2 variances, 3 targets",
                () -> RegressionMetrics.gaussianNll(MEAN, new double[] {1, 1}, Y));
        assertMessage("point 1: variance 0.0 must be positive",
                () -> RegressionMetrics.gaussianNll(MEAN, new double[] {1, 0, 1}, Y));
        assertMessage("point 2: mean NaN", () -> RegressionMetrics.rmse(new double[] {0, 0, Double.NaN}, Y));
        assertMessage("no predictions", () -> RegressionMetrics.rmse(new double[0], new double[0]));
        assertMessage("interval level", () -> RegressionMetrics.coverage(MEAN, VAR, Y, 1.0));
    }
}
