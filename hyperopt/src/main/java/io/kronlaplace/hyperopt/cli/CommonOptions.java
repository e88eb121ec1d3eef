package io.kronlaplace.hyperopt.cli;

import picocli.CommandLine.Option;

/** Options shared by every sub-command. */
public final class CommonOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print no progress bars and no per-epoch lines, only results "
            + "and errors.")
    boolean quiet;

    @Option(names = "--stacktrace", description = "Print the full stack trace when the command fails.")
    boolean stacktrace;

    @Option(names = "--threads", paramLabel = "N", description = "Native (OpenMP/BLAS) threads; default: the "
            + "OMP_NUM_THREADS environment variable, else the number of cores.")
    Integer threads;

    /**
     * Whether progress output is suppressed.
     *
     * @return true with {@code -q} or {@code --quiet}: no progress bars or per-epoch lines, only results and errors
     */
    public boolean quiet() {
        return quiet;
    }
}
