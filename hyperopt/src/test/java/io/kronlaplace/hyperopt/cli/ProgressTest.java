package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.EpochSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Progress bars go to the command's standard error, one redrawn line each, readable, and one bar per phase. */
class ProgressTest {
    @Test
    void aBarIsRedrawnOnTheGivenStreamWithItsMessageApartFromTheRate() {
        StringWriter err = new StringWriter();
        try (Progress bar = Progress.draw("epoch 1/1", 4, "batch", true, new PrintWriter(err, true))) {
            bar.message("loss 2.2991");
            bar.step(4);
        }
        String text = err.toString();
        assertTrue(text.startsWith("\r"), "redrawn in place: " + text);
        assertTrue(text.endsWith("\n"), "the line ends when the bar closes: " + text);
        assertTrue(text.contains(" loss 2.2991"), text);
        assertFalse(text.contains("/sloss"), "message run into the rate: " + text);
        assertFalse(text.matches("(?s).*[^0-9]\\.[0-9] batch/s.*"), "rate without its leading zero: " + text);
    }

    @Test
    void hiddenBarsPrintNothing() {
        StringWriter err = new StringWriter();
        try (Progress bar = Progress.draw("x", 3, "batch", false, new PrintWriter(err, true))) {
            bar.step(3);
            assertFalse(bar.visible());
        }
        assertEquals("", err.toString());
    }

    @Test
    void curvaturePassAndHyperStepsHaveABarEachAndSummariesArePrintedOnce() {
        StringWriter err = new StringWriter();
        ProgressListener listener = new ProgressListener(false, true, new PrintWriter(err, true), 1);
        listener.epochStarted(1, 2);
        listener.batchFinished(1, 0, 1.0);
        listener.batchFinished(1, 1, 0.5);
        listener.marglikStarted(1, 3, 2);
        for (int b = 0; b < 3; b++) {
            listener.curvatureBatchFinished(1, b);
        }
        listener.hyperstepFinished(1, 0, -10);
        listener.hyperstepFinished(1, 1, -9);
        listener.epochFinished(new EpochSummary(1, 0.75, 0.5, 0.1, -9, new double[] {1}, new double[0], 1.0, 0.5,
                1.0, Double.NaN, Double.NaN));
        String text = err.toString();
        assertTrue(text.contains("K-FAC 1") && text.contains("hyper-steps 1"), text);
        assertTrue(text.contains("3/3") && text.contains("2/2"), "each bar counts its own steps: " + text);
        assertEquals(1, text.split("epoch 1/1  loss", -1).length - 1, "one summary line: " + text);
    }

    @Test
    void aRegressionEpochSummaryHasNoAccuracy() {
        StringWriter err = new StringWriter();
        ProgressListener listener = new ProgressListener(false, false, new PrintWriter(err, true), 1);
        listener.epochFinished(new EpochSummary(1, 0.25, Double.NaN, 0.1, Double.NaN, new double[] {1}, new double[0],
                1.0, 0.0, 0.5, Double.NaN, Double.NaN));
        listener.epochFinished(new EpochSummary(1, 0.75, 0.5, 0.1, Double.NaN, new double[] {1}, new double[0], 1.0,
                0.0, 1.0, Double.NaN, Double.NaN));
        String text = err.toString();
        assertTrue(text.contains("epoch 1/1  loss 0.2500  lr 0.1000"), text);
        assertTrue(text.contains("epoch 1/1  loss 0.7500  acc 0.500  lr 0.1000"), text);
        assertTrue(!text.contains("NaN"), text);
    }

    @Test
    void everyEvaluationPassHasABarNamingItsSetAndMethodsAndCountingImages() {
        StringWriter err = new StringWriter();
        ProgressListener listener = new ProgressListener(false, true, new PrintWriter(err, true), 0);
        listener.passStarted("synthetic-test", "MAP, Laplace mc/probit", 200);
        listener.examplesDone(32);
        listener.examplesDone(168);
        listener.passFinished();
        listener.passStarted("smooth-noise", "MAP, Laplace mc/probit", 50);
        listener.examplesDone(50);
        listener.passFinished();
        String text = err.toString();
        assertTrue(text.contains("synthetic-test") && text.contains("200/200 img"), text);
        assertTrue(text.contains("smooth-noise") && text.contains("50/50 img"), text);
        assertTrue(text.contains(" MAP, Laplace mc/probit"), text);
        assertTrue(text.matches("(?s).*\\([0-9:]+ / [0-9:?]+\\).*"), "elapsed and time left: " + text);
        assertEquals(2, text.split("\n", -1).length - 1, "each pass's bar ends its own line: " + text);
    }

    @Test
    void quietEvaluationsPrintNoBar() {
        StringWriter err = new StringWriter();
        ProgressListener listener = new ProgressListener(true, new PrintWriter(err, true));
        listener.passStarted("synthetic-test", "MAP", 10);
        listener.examplesDone(10);
        listener.passFinished();
        assertEquals("", err.toString());
    }
}
