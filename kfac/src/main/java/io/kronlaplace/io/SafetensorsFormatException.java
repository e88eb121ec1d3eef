package io.kronlaplace.io;

/**
 * A safetensors file that is truncated, has a malformed header, inconsistent offsets or shapes, duplicate names or an
 * unsupported element type; the message names the file, the tensor where there is one, and the problem.
 */
public final class SafetensorsFormatException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and where, naming the file */
    public SafetensorsFormatException(String message) {
        super(message);
    }
}
