package io.kronlaplace.hyperopt.cli;

/** Process exit codes of the command-line tool. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command failed while running (numerical failure, unexpected error). */
    public static final int FAILURE = 1;
    /** Bad command line: unknown option, malformed or out-of-range value. */
    public static final int USAGE = 2;
    /** An input file or directory is missing, unreadable or corrupt. */
    public static final int INPUT = 3;
    /** The output directory is owned by another run that is still alive (see {@link OutputDirectoryLock}). */
    public static final int LOCKED = 4;
    /**
     * An output file or the output directory could not be written (disk full, read-only file system, no permission);
     * the message names the path.
     */
    public static final int OUTPUT = 5;

    private ExitCodes() {
    }
}
