package io.kronlaplace.io;

/** A weights file that is not one, is damaged or truncated, or does not fit the network it is loaded into. */
public final class WeightsFileException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /**
     * An error found in the file's content or its fit to the network.
     *
     * @param message what is wrong, naming the file or tensor
     */
    public WeightsFileException(String message) {
        super(message);
    }

    /**
     * An error caused by a lower-level failure, e.g. a missing file or an unexpected end of the data.
     *
     * @param message what is wrong, naming the file
     * @param cause   the underlying failure
     */
    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
