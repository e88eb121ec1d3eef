package io.kronlaplace.io;

import java.io.IOException;

/** A {@code .npy} file that is corrupt, truncated or uses a layout or data type this reader does not support. */
public final class NpyFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file */
    public NpyFormatException(String message) {
        super(message);
    }
}
