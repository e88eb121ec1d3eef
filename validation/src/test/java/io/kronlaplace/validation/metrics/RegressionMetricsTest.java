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
        assertEquals(1.0 / 3, s.coverage68(), 1e-15);
        assertEquals(2.0 / 3, s.coverage95(), 1e-15);
        assertEquals(Math.sqrt(2.0 / 3), s.rmse(), 1e-15);
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
