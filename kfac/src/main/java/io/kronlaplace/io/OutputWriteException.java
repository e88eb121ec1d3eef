package io.kronlaplace.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file or directory the project writes could not be written: the disk is full, the file system is read-only, the
 * permissions forbid it, or a rename failed. Unlike a {@link CorruptFileException} or a missing input this says
 * nothing about the input; the message names the path that could not be written and the file system's reason.
 *
 * <p>Thrown by {@link AtomicFiles} for every failure of the file system while writing, so callers can tell output
 * failures from input failures in one place.
 */
public class OutputWriteException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The path that could not be written, as a string so the exception stays serialisable. */
    private final String path;

    /**
     * Creates the exception for a failed write.
     *
     * @param path    the file or directory that could not be written
     * @param message what could not be done, naming {@code path}
     * @param cause   the file system's failure
     */
    public OutputWriteException(Path path, String message, IOException cause) {
        super(message, cause);
        this.path = path.toString();
    }

    /**
     * The file or directory that could not be written.
     *
     * @return the path named in the message
     */
    public Path path() {
        return Path.of(path);
    }
}
