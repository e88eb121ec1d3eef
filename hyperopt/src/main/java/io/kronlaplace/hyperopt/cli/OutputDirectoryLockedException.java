package io.kronlaplace.hyperopt.cli;

import java.io.IOException;

/** Another run that is still alive owns the output directory (see {@link OutputDirectoryLock}). */
public final class OutputDirectoryLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message which directory, which process, and what to do */
    public OutputDirectoryLockedException(String message) {
        super(message);
    }
}
