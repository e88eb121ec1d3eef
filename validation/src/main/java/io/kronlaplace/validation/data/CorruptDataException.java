package io.kronlaplace.validation.data;

import io.kronlaplace.io.CorruptFileException;
import java.nio.file.Path;

/**
 * A data file that exists but whose content is not what its format requires (wrong size, bad header, out-of-range
 * label, unparsable cell). The message names the file and where in it the problem is.
 */
public class CorruptDataException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file   the offending file
     * @param detail what is wrong and where (offset, record, line, column)
     */
    public CorruptDataException(Path file, String detail) {
        super(file.getFileName() + ": " + detail + " (" + file + ")");
        this.file = file;
    }

    /**
     * @param file   the offending file
     * @param detail what is wrong and where (offset, record, line, column)
     * @param cause  the underlying failure (a decoding or decompression error)
     */
    public CorruptDataException(Path file, String detail, Throwable cause) {
        super(file.getFileName() + ": " + detail + " (" + file + ")", cause);
        this.file = file;
    }

    /**
     * The offending file.
     *
     * @return the path of the malformed file
     */
    public Path file() {
        return file;
    }
}
