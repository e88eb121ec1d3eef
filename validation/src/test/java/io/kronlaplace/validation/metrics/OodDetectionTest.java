package io.kronlaplace.validation.metrics;

import static io.kronlaplace.validation.metrics.ClassificationMetricsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OodDetectionTest {
    @Test
    void aurocWithTiesByHand() {
        double[] in = {0.9, 0.8, 0.8, 0.3};
        double[] out = {0.8, 0.5, 0.3};
        // pairs won: 0.9 -> 3; each 0.8 -> 2 + half a tie; 0.3 -> half a tie; total 8.5 of 12
        assertEquals(8.5 / 12, OodDetection.auroc(in, out), 1e-15);
    }

    @Test
    void aurocExtremes() {
        assertEquals(1.0, OodDetection.auroc(new double[] {3, 4}, new double[] {1, 2}), 0);
        assertEquals(0.0, OodDetection.auroc(new double[] {1, 2}, new double[] {3, 4}), 0);
        assertEquals(0.5, OodDetection.auroc(new double[] {1, 1, 1}, new double[] {1, 1}), 0);
    }

    @Test
    void aurocMatchesBruteForcePairCountingOnHeavilyTiedScores() {
        SplittableRandom random = new SplittableRandom(3);
        double[] in = new double[57];
        double[] out = new double[41];
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextInt(6) + 1;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextInt(5);
        }
        double wins = 0;
        for (double a : in) {
            for (double b : out) {
                wins += a > b ? 1 : a == b ? 0.5 : 0;
            }
        }
        assertEquals(wins / (in.length * out.length), OodDetection.auroc(in, out), 1e-14);
    }

    @Test
    void fprAt95TprByHand() {
        double[] in = new double[20];
        for (int i = 0; i < 20; i++) {
            in[i] = (i + 1) / 20.0;
        }
        // 19 of 20 in-distribution scores are >= 0.10, so t = 0.10; OOD scores >= t: 0.10 and 0.5
        double[] out = {0.02, 0.10, 0.5, 0.07};
        assertEquals(0.5, OodDetection.fprAtTpr(in, out, OodDetection.TPR_95), 0);
        // TPR 1 needs t = 0.05: also 0.07 passes
        assertEquals(0.75, OodDetection.fprAtTpr(in, out, 1.0), 0);
    }

    @Test
    void fprMatchesBruteForceThresholdSearch() {
        SplittableRandom random = new SplittableRandom(11);
        double[] in = new double[73];
        double[] out = new double[64];
        for (int i = 0; i < in.length; i++) {
            in[i] = Math.round(random.nextDouble() * 20) / 20.0 + 0.2;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.round(random.nextDouble() * 20) / 20.0;
        }
        // largest threshold (among all candidate values) whose TPR reaches 95%
        double best = Double.NEGATIVE_INFINITY;
        for (double t : in) {
            int accepted = 0;
            for (double s : in) {
                accepted += s >= t ? 1 : 0;
            }
            if ((double) accepted / in.length >= 0.95 && t > best) {
                best = t;
            }
        }
        int falsePositives = 0;
        for (double s : out) {
            falsePositives += s >= best ? 1 : 0;
        }
        assertEquals((double) falsePositives / out.length, OodDetection.fprAtTpr(in, out, 0.95), 0);
    }

    @Test
    void evaluateUsesTheChosenScore() {
        double[][] in = {{0.9, 0.1}, {0.8, 0.2}};
        double[][] out = {{0.6, 0.4}, {0.95, 0.05}};
        OodResult r = OodDetection.evaluate(in, out, OodScore.MAX_PROBABILITY);
        // in {.9, .8} vs out {.6, .95}: wins .9>.6, .8>.6 -> 2 of 4
        assertEquals(0.5, r.auroc(), 0);
        assertEquals(2, r.inCount());
        OodResult e = OodDetection.evaluate(in, out, OodScore.NEGATIVE_ENTROPY);
        assertEquals(0.5, e.auroc(), 0);
        // two-class entropy is monotone in the confidence, so both scores order examples alike
        assertEquals(r.fprAt95Tpr(), e.fprAt95Tpr(), 0);
    }

    @Test
    void badInputIsRejected() {
        assertMessage("need at least one", () -> OodDetection.auroc(new double[0], new double[] {1}));
        assertMessage("out-of-distribution score 1 is NaN",
                () -> OodDetection.auroc(new double[] {1}, new double[] {1, Double.NaN}));
        assertMessage("target TPR", () -> OodDetection.fprAtTpr(new double[] {1}, new double[] {1}, 0));
        assertMessage("out-of-distribution ones 3", () -> OodDetection.evaluate(new double[][] {{0.5, 0.5}},
                new double[][] {{0.2, 0.3, 0.5}}, OodScore.MAX_PROBABILITY));
    }
}
