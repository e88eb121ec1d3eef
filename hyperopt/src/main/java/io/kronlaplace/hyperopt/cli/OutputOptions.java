package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.io.OutputWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code -o/--out} option of every command that writes files; the default is {@code runs/<command name>}. */
public final class OutputOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Output directory (default: runs/${COMMAND-NAME}).")
    Path out;

    /**
     * The output directory.
     *
     * @return the directory given with {@code --out}, else {@code runs/<command name>}
     */
    public Path directory() {
        return out != null ? out : Path.of("runs", command.name());
    }

    /**
     * Takes {@link #directory()} for this run (see {@link OutputDirectoryLock}); the note about a stale lock taken over
     * goes to the command's error stream. Run before any work, so that an unusable output directory is reported at
     * once instead of after hours of training.
     *
     * @return the lock, to be closed when the run ends
     * @throws IllegalArgumentException       when the path is an existing file, not a directory
     * @throws OutputWriteException           when the directory or the lock file in it cannot be created (read-only
     *                                        file system, no permission, disk full)
     * @throws OutputDirectoryLockedException when another live run holds the directory
     * @throws IOException                    when the lock file of another run cannot be read
     */
    public OutputDirectoryLock lock() throws IOException {
        Path dir = directory();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        try {
            return OutputDirectoryLock.acquire(dir, command.commandLine().getErr()::println);
        } catch (OutputDirectoryLockedException e) {
            throw e;
        } catch (IOException e) {
            throw new OutputWriteException(dir, "cannot write the output directory " + dir + ": " + Main.describe(e),
                    e);
        }
    }
}
