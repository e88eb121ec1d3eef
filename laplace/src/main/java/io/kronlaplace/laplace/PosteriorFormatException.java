package io.kronlaplace.laplace;

import io.kronlaplace.io.CorruptFileException;

/** A posterior file is not a posterior file of a supported version, or is truncated or corrupt. */
public final class PosteriorFormatException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file */
    public PosteriorFormatException(String message) {
        super(message);
    }

    /**
     * A damaged posterior file, with the failure that revealed it.
     *
     * @param message what is wrong, naming the file
     * @param cause   the underlying failure
     */
    public PosteriorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
