package io.kronlaplace.hyperopt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with rate and ETA on the command's standard error for a long loop, or nothing at all when output is
 * quiet (by {@code --quiet}, or because standard error is not a terminal, so that logs and pipes stay free of bar
 * redraws). The bar is redrawn in place on one line and ends with a newline when closed.
 */
public final class Progress implements AutoCloseable {
    /** Where Linux shows what file descriptor 2 (standard error) is. */
    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");
    private final ProgressBar bar;
    private final LineRedraw line;

    private Progress(ProgressBar bar, LineRedraw line) {
        this.bar = bar;
        this.line = line;
    }

    /**
     * Starts a bar on {@code err} when it should be shown: not quiet, and standard error is a terminal.
     *
     * @param task  the label shown before the bar
     * @param total the number of steps of the loop
     * @param unit  what a step is ("batch", "img"), shown in the rate
     * @param quiet true to print nothing
     * @param err   the command's standard error
     * @return the bar, invisible when it is not shown
     */
    public static Progress start(String task, long total, String unit, boolean quiet, PrintWriter err) {
        return draw(task, total, unit, !quiet && standardErrorIsTerminal(), err);
    }

    /**
     * Starts a bar on {@code err}, or an invisible one.
     *
     * @param task  the label shown before the bar
     * @param total the number of steps of the loop
     * @param unit  what a step is, shown in the rate
     * @param shown whether to draw it
     * @param err   where to draw it
     * @return the bar
     */
    static Progress draw(String task, long total, String unit, boolean shown, PrintWriter err) {
        if (!shown) {
            return new Progress(null, null);
        }
        LineRedraw line = new LineRedraw(err);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1)
                // "0.5 batch/s", not ".5 batch/s"
                .showSpeed(new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
                .setUpdateIntervalMillis(250)
                .setConsumer(line)
                .build();
        return new Progress(bar, line);
    }

    /**
     * Whether standard error is a terminal: on Linux, whether file descriptor 2 is a terminal device; elsewhere,
     * whether the JVM has a console (which also needs standard input and output to be terminals).
     */
    static boolean standardErrorIsTerminal() {
        try {
            String target = Files.readSymbolicLink(STDERR_LINK).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /**
     * Whether a bar is being drawn.
     *
     * @return false for a quiet or non-terminal bar
     */
    public boolean visible() {
        return bar != null;
    }

    /**
     * Advances the bar.
     *
     * @param steps how many steps finished
     */
    public void step(long steps) {
        if (bar != null) {
            bar.stepBy(steps);
        }
    }

    /**
     * Sets the text shown after the rate, separated from it by a space.
     *
     * @param text e.g. the running loss
     */
    public void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(" " + text);
        }
    }

    /** Draws the final state and ends the bar's line. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            line.close();
        }
    }

    /** Redraws one terminal line: carriage return, the bar, erase to the end of the line; a newline on close. */
    private static final class LineRedraw implements ProgressBarConsumer {
        private final PrintWriter err;
        private boolean closed;

        LineRedraw(PrintWriter err) {
            this.err = err;
        }

        @Override
        public int getMaxRenderedLength() {
            return 100;
        }

        @Override
        public synchronized void accept(String rendered) {
            err.print('\r' + rendered + "\u001b[K");
            err.flush();
        }

        @Override
        public synchronized void close() {
            // the bar may close its consumer as well: the line ends once
            if (!closed) {
                closed = true;
                err.println();
                err.flush();
            }
        }
    }
}
