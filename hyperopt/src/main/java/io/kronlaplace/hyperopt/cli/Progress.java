package io.kronlaplace.hyperopt.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with rate and ETA on standard error for a long loop, or nothing at all when output is quiet (by
 * {@code --quiet}, or because standard error is not a terminal so that logs and pipes stay free of bar redraws).
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param task  the label shown before the bar
     * @param total the number of steps of the loop
     * @param unit  what a step is ("batch", "img"), shown in the rate
     * @param quiet true to print nothing
     */
    public static Progress start(String task, long total, String unit, boolean quiet) {
        if (quiet || System.console() == null) {
            return new Progress(null);
        }
        PrintStream err = System.err;
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build();
        return new Progress(bar);
    }

    /** Whether a bar is being drawn. */
    public boolean visible() {
        return bar != null;
    }

    /** Advances by {@code steps}. */
    public void step(long steps) {
        if (bar != null) {
            bar.stepBy(steps);
        }
    }

    /** Sets the text shown after the bar (e.g. the running loss). */
    public void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
