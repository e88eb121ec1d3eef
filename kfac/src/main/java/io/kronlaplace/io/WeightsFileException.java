package io.kronlaplace.io;

/** A weights file that is not one, is damaged or truncated, or does not fit the network it is loaded into. */
public final class WeightsFileException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /** An error described by {@code message}. */
    public WeightsFileException(String message) {
        super(message);
    }

    /** An error described by {@code message}, caused by {@code cause}. */
    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
