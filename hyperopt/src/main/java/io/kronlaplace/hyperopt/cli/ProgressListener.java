package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.EpochSummary;
import io.kronlaplace.hyperopt.EvaluationListener;
import io.kronlaplace.hyperopt.TrainingListener;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;

/**
 * Shows online training on standard error: a progress bar (rate, ETA) per epoch, per curvature pass and per run of
 * hyper-steps of a marginal-likelihood update (when standard error is a terminal), and one summary line per epoch;
 * and an evaluation: a bar per pass (the set, what is computed, images done of the total). Quiet mode prints nothing.
 */
final class ProgressListener implements TrainingListener, EvaluationListener {
    private final boolean quiet;
    private final boolean bars;
    private final PrintWriter err;
    private final int epochs;
    private Progress bar;
    private int hypersteps;
    private boolean inHypersteps;

    /**
     * @param quiet  print nothing
     * @param err    the command's standard error
     * @param epochs the run's epochs, shown as "epoch e/epochs"
     */
    ProgressListener(boolean quiet, PrintWriter err, int epochs) {
        this(quiet, !quiet && Progress.standardErrorIsTerminal(), err, epochs);
    }

    /**
     * The progress of an evaluation alone (no epochs).
     *
     * @param quiet print nothing
     * @param err   the command's standard error
     */
    ProgressListener(boolean quiet, PrintWriter err) {
        this(quiet, err, 0);
    }

    /**
     * @param quiet  print nothing
     * @param bars   draw progress bars (summary lines are printed either way unless quiet)
     * @param err    where to print
     * @param epochs the run's epochs
     */
    ProgressListener(boolean quiet, boolean bars, PrintWriter err, int epochs) {
        this.quiet = quiet;
        this.bars = bars && !quiet;
        this.err = err;
        this.epochs = epochs;
    }

    private void startBar(String task, long total, String unit) {
        close();
        bar = Progress.draw(task, total, unit, bars, err);
    }

    @Override
    public void epochStarted(int epoch, int batches) {
        startBar("epoch " + epoch + "/" + epochs, batches, "batch");
    }

    @Override
    public void batchFinished(int epoch, int batch, double loss) {
        bar.message(String.format(Locale.ROOT, "loss %.4f", loss));
        bar.step(1);
    }

    @Override
    public void marglikStarted(int epoch, int curvatureBatches, int hypersteps) {
        // curvature batches and hyper-steps take very different times: one bar each, so that each ETA is right
        startBar("K-FAC " + epoch, curvatureBatches, "batch");
        this.hypersteps = hypersteps;
        inHypersteps = false;
    }

    @Override
    public void curvatureBatchFinished(int epoch, int batch) {
        bar.message("K-FAC");
        bar.step(1);
    }

    @Override
    public void hyperstepFinished(int epoch, int step, double logMarglik) {
        if (!inHypersteps) {
            inHypersteps = true;
            startBar("hyper-steps " + epoch, hypersteps, "step");
        }
        bar.message(String.format(Locale.ROOT, "log p(D|M) %.1f", logMarglik));
        bar.step(1);
    }

    @Override
    public void passStarted(String set, String methods, int total) {
        startBar(set, total, "img");
        bar.message(methods);
    }

    @Override
    public void examplesDone(int examples) {
        bar.step(examples);
    }

    @Override
    public void passFinished() {
        close();
    }

    @Override
    public void epochFinished(EpochSummary s) {
        close();
        if (quiet) {
            return;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", s.epoch(),
                epochs, s.trainLoss()));
        // regression has no accuracy: its summaries carry NaN there
        if (!Double.isNaN(s.trainAccuracy())) {
            line.append(String.format(Locale.ROOT, "  acc %.3f", s.trainAccuracy()));
        }
        line.append(String.format(Locale.ROOT, "  lr %.4g  train %.1fs", s.learningRate(), s.trainSeconds()));
        if (!Double.isNaN(s.logMarglik())) {
            double meanLog = Arrays.stream(s.priorPrecisions()).map(Math::log).average().orElse(0);
            line.append(String.format(Locale.ROOT, "  log p(D|M) %.2f  prior %.3g  marglik %.1fs", s.logMarglik(),
                    Math.exp(meanLog), s.marglikSeconds()));
        }
        if (s.augmentation().length > 0) {
            line.append("  |eta| ").append(Arrays.toString(Arrays.stream(s.augmentation())
                    .mapToObj(v -> String.format(Locale.ROOT, "%.3f", v)).toArray()));
        }
        err.println(line);
        err.flush();
    }

    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
