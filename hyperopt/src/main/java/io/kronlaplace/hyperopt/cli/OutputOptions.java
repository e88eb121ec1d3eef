package io.kronlaplace.hyperopt.cli;

import java.io.IOException;
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

    /** The directory given with {@code --out}, else {@code runs/<command name>}. */
    public Path directory() {
        return out != null ? out : Path.of("runs", command.name());
    }

    /**
     * Takes {@link #directory()} for this run (see {@link OutputDirectoryLock}); the note about a stale lock taken over
     * goes to the command's error stream.
     *
     * @throws OutputDirectoryLockedException when another live run holds the directory
     */
    public OutputDirectoryLock lock() throws IOException {
        return OutputDirectoryLock.acquire(directory(), command.commandLine().getErr()::println);
    }
}
