package io.kronlaplace.validation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ClassificationMetricsTest {
    /** Rows: correct (conf .7), wrong (conf .5), correct (conf .5), wrong (conf .8). */
    private static final double[][] P = {
        {0.7, 0.2, 0.1},
        {0.2, 0.5, 0.3},
        {0.25, 0.25, 0.5},
        {0.1, 0.1, 0.8}};
    private static final int[] Y = {0, 2, 2, 0};

    @Test
    void accuracyNllAndBrierMatchHandComputation() {
        assertEquals(0.5, ClassificationMetrics.accuracy(P, Y), 0);
        double nll = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.5) + Math.log(0.1)) / 4;
        assertEquals(nll, ClassificationMetrics.negativeLogLikelihood(P, Y), 1e-15);
        // per row: .09+.04+.01, .04+.25+.49, .0625+.0625+.25, .81+.01+.64
        assertEquals((0.14 + 0.78 + 0.375 + 1.46) / 4, ClassificationMetrics.brierScore(P, Y), 1e-15);
    }

    @Test
    void eceAndMceWithFiveBinsIncludingEmptyBinsAndAnExactEdge() {
        ReliabilityDiagram d = ClassificationMetrics.reliability(P, Y, 5);
        assertEquals(4, d.total());
        // confidence 0.8 is exactly the edge 4/5 and belongs to (0.6, 0.8]
        assertEquals(List.of(0, 0, 2, 2, 0), List.of(d.bins().get(0).count(), d.bins().get(1).count(),
                d.bins().get(2).count(), d.bins().get(3).count(), d.bins().get(4).count()));
        ReliabilityBin b2 = d.bins().get(2);
        assertEquals(0.5, b2.meanConfidence(), 1e-15);
        assertEquals(0.5, b2.accuracy(), 0);
        ReliabilityBin b3 = d.bins().get(3);
        assertEquals(0.75, b3.meanConfidence(), 1e-15);
        assertEquals(0.5, b3.accuracy(), 0);
        assertTrue(Double.isNaN(d.bins().get(0).accuracy()));
        assertTrue(Double.isNaN(d.bins().get(4).meanConfidence()));
        assertEquals(0.6, b3.lower(), 1e-15);
        assertEquals(0.8, b3.upper(), 1e-15);
        assertEquals(0.5 * 0.0 + 0.5 * 0.25, d.expectedCalibrationError(), 1e-15);
        assertEquals(0.25, d.maximumCalibrationError(), 1e-15);
    }

    @Test
    void defaultFifteenBins() {
        // bins (7/15, 8/15]: rows 1 and 2 (gap 0); (10/15, 11/15]: row 0 (acc 1, conf .7); (11/15, 12/15]: row 3
        double ece = 0.25 * Math.abs(1 - 0.7) + 0.25 * Math.abs(0 - 0.8);
        assertEquals(ece, ClassificationMetrics.expectedCalibrationError(P, Y), 1e-15);
        assertEquals(0.8, ClassificationMetrics.maximumCalibrationError(P, Y), 1e-15);
        ReliabilityDiagram d = ClassificationMetrics.reliability(P, Y, ClassificationMetrics.DEFAULT_BINS);
        assertEquals(15, d.bins().size());
        assertEquals(2, d.bins().get(7).count());
        assertEquals(1, d.bins().get(10).count());
        assertEquals(1, d.bins().get(11).count());
        assertEquals(4, Arrays.stream(d.counts()).sum());
    }

    @Test
    void binEdgesAreExactForEveryBinCount() {
        for (int bins = 1; bins <= 40; bins++) {
            for (int k = 1; k <= bins; k++) {
                double edge = (double) k / bins;
                assertEquals(k - 1, ClassificationMetrics.binOf(edge, bins), "edge " + k + "/" + bins);
                if (k < bins) {
                    assertEquals(k, ClassificationMetrics.binOf(Math.nextUp(edge), bins));
                }
            }
            assertEquals(0, ClassificationMetrics.binOf(0.0, bins));
        }
    }

    @Test
    void tiedArgmaxPicksTheLowestIndex() {
        double[][] p = {{0.4, 0.4, 0.2}};
        assertEquals(1.0, ClassificationMetrics.accuracy(p, new int[] {0}), 0);
        assertEquals(0.0, ClassificationMetrics.accuracy(p, new int[] {1}), 0);
    }

    @Test
    void entropyInNats() {
        double[] h = ClassificationMetrics.entropy(new double[][] {{0.5, 0.5, 0}, {1, 0, 0},
            {1 / 3.0, 1 / 3.0, 1 / 3.0}});
        assertEquals(Math.log(2), h[0], 1e-15);
        assertEquals(0.0, h[1], 0);
        assertEquals(Math.log(3), h[2], 1e-15);
    }

    @Test
    void summaryAndIndArrayOverloadsAgree() {
        ClassificationSummary s = ClassificationMetrics.summarize(Nd4j.createFromArray(P), Y, 5);
        assertEquals(4, s.count());
        assertEquals(0.5, s.accuracy(), 0);
        assertEquals(0.125, s.ece(), 1e-15);
        assertEquals(0.25, s.mce(), 1e-15);
        assertEquals((0.7 + 0.5 + 0.5 + 0.8) / 4, s.meanConfidence(), 1e-15);
        assertEquals(ClassificationMetrics.brierScore(P, Y), s.brier(), 0);
        assertEquals(ClassificationMetrics.brierScore(Nd4j.createFromArray(P).castTo(
                DataType.FLOAT), Y), s.brier(), 1e-6);
    }

    @Test
    void zeroProbabilityOfTheLabelGivesAFiniteFlooredLoss() {
        double nll = ClassificationMetrics.negativeLogLikelihood(new double[][] {{1.0, 0.0}}, new int[] {1});
        assertEquals(-Math.log(ClassificationMetrics.LOG_FLOOR), nll, 1e-12);
    }

    @Test
    void rowSumToleranceIsOneInAMillion() {
        double[][] nearlyOne = {{0.5, 0.5 + 9e-7}};
        assertEquals(1.0, ClassificationMetrics.accuracy(nearlyOne, new int[] {1}), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.accuracy(new double[][] {{0.5, 0.5 + 2e-6}}, new int[] {1}));
        assertTrue(e.getMessage().contains("row 0 sums to"), e.getMessage());
    }

    @Test
    void badInputIsRejectedWithClearMessages() {
        assertMessage("length mismatch: 4 probability rows but 3 labels",
                () -> ClassificationMetrics.accuracy(P, new int[] {0, 1, 2}));
        assertMessage("row 1, class 2: probability NaN",
                () -> ClassificationMetrics.brierScore(new double[][] {{1, 0, 0}, {0.5, 0.5, Double.NaN}},
                        new int[] {0, 0}));
        assertMessage("row 0 sums to 1.1",
                () -> ClassificationMetrics.negativeLogLikelihood(new double[][] {{0.6, 0.5}}, new int[] {0}));
        assertMessage("label 3 of row 0 outside 0..2",
                () -> ClassificationMetrics.accuracy(new double[][] {{0.2, 0.3, 0.5}}, new int[] {3}));
        assertMessage("probability -0.1", () -> ClassificationMetrics.entropy(new double[][] {{-0.1, 1.1}}));
        assertMessage("0 rows", () -> ClassificationMetrics.accuracy(new double[0][], new int[0]));
        assertMessage("row 1 has 2 entries",
                () -> ClassificationMetrics.entropy(new double[][] {{0.2, 0.3, 0.5}, {0.5, 0.5}}));
        assertMessage("number of bins must be positive", () -> ClassificationMetrics.reliability(P, Y, 0));
    }

    static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' lacks '"
                + expectedPart + "'");
    }
}
