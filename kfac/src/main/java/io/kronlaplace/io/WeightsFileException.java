package io.kronlaplace.io;

import java.io.IOException;

/** A weights file that is not one, is damaged or truncated, or does not fit the network it is loaded into. */
public final class WeightsFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFileException(String message) {
        super(message);
    }

    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
