package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.io.CorruptFileException;
import java.nio.file.Path;

/** A checkpoint file exists but cannot be trusted: wrong magic, truncated, checksum mismatch or malformed content. */
public final class CorruptCheckpointException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file   the offending file
     * @param reason what is wrong with it
     */
    public CorruptCheckpointException(Path file, String reason) {
        super("corrupt checkpoint " + file + ": " + reason);
    }

    /**
     * @param file   the offending file
     * @param reason what is wrong with it
     * @param cause  the underlying parse error
     */
    public CorruptCheckpointException(Path file, String reason, Throwable cause) {
        super("corrupt checkpoint " + file + ": " + reason, cause);
    }
}
