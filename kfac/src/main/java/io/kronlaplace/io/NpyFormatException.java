package io.kronlaplace.io;

/** A {@code .npy} file that is corrupt, truncated or uses a layout or data type this reader does not support. */
public final class NpyFormatException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file */
    public NpyFormatException(String message) {
        super(message);
    }

    /**
     * A format error caused by a lower-level failure.
     *
     * @param message what is wrong, naming the file
     * @param cause   the underlying failure, e.g. a malformed number in the header
     */
    public NpyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
