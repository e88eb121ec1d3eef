package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.io.CorruptFileException;
import java.nio.file.Path;

/**
 * A checkpoint or model file exists but cannot be trusted: wrong magic, truncated, checksum mismatch or malformed
 * content. Both kinds share one container format ({@link CheckpointFile}); the message names the kind the caller
 * expected, so a damaged {@code model.klm} is reported as a model file.
 */
public final class CorruptCheckpointException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /**
     * A damaged checkpoint.
     *
     * @param file   the offending file
     * @param reason what is wrong with it
     */
    public CorruptCheckpointException(Path file, String reason) {
        this(file, CheckpointFile.CHECKPOINT, reason, null);
    }

    /**
     * A damaged checkpoint, with the parse error that revealed it.
     *
     * @param file   the offending file
     * @param reason what is wrong with it
     * @param cause  the underlying parse error
     */
    public CorruptCheckpointException(Path file, String reason, Throwable cause) {
        this(file, CheckpointFile.CHECKPOINT, reason, cause);
    }

    /**
     * A damaged file of the given kind.
     *
     * @param file   the offending file
     * @param kind   what the file should have been, e.g. "checkpoint" or "model file"
     * @param reason what is wrong with it
     * @param cause  the underlying parse error, or null
     */
    public CorruptCheckpointException(Path file, String kind, String reason, Throwable cause) {
        super("corrupt " + kind + " " + file + ": " + reason, cause);
    }
}
