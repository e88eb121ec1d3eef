package io.kronlaplace.io;

import java.io.IOException;

/**
 * A file that exists but cannot be trusted: not of the expected format, truncated, damaged (checksum mismatch), or
 * holding values its format forbids (sizes that do not match the bytes present, non-finite weights, inconsistent
 * metadata). The message names the file, where in it the problem is (byte offset, line, tensor or field) and what is
 * wrong.
 *
 * <p>This is the one supertype of every reader's format exception ({@code NpyFormatException},
 * {@code WeightsFileException}, {@code PosteriorFormatException}, {@code CorruptCheckpointException},
 * {@code CorruptDataException}), so callers can catch "corrupt input" in one place. See docs/file-formats.md.
 */
public class CorruptFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and where, naming the file */
    public CorruptFileException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and where, naming the file
     * @param cause   the underlying failure (a parse error, an unexpected end of file)
     */
    public CorruptFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
