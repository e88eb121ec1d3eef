package io.kronlaplace.validation.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that exists but whose content is not what its format requires (wrong size, bad header, out-of-range
 * label, unparsable cell). The message names the file and where in it the problem is.
 */
public class CorruptDataException extends IOException {
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

    /** The offending file. */
    public Path file() {
        return file;
    }
}
