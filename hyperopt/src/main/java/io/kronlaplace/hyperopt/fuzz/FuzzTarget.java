package io.kronlaplace.hyperopt.fuzz;

import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One format under fuzzing: a valid file, how to read it, and what counts as reading it back unchanged.
 *
 * @param format      the format's name, e.g. "npy"
 * @param file        the file that is mutated in place (other files of a directory format stay valid)
 * @param checksum    rewrites the stored checksum of a mutated file, or null for formats without one
 * @param read        reads the file as a caller would, returning a canonical value (exact numbers)
 * @param state       a canonical snapshot of the caller's state the read may change, or null when it changes none
 * @param documented  whether an exception is one the reader documents for a bad file
 */
record FuzzTarget(String format, Path file, UnaryOperator<byte[]> checksum, Reader read, Snapshot state,
                  Predicate<Throwable> documented) {

    /** Reads the file into a canonical, exactly comparable value. */
    interface Reader {
        Object read() throws Exception;
    }

    /** A canonical, exactly comparable snapshot of the caller's state. */
    interface Snapshot {
        Object take();
    }
}
