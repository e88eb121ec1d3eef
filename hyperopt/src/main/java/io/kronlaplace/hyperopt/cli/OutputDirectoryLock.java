package io.kronlaplace.hyperopt.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Ownership of an output directory by one run at a time: a lock file {@value #FILE_NAME} created exclusively (the
 * file system's atomic create-if-absent) in the directory, holding the owner's process id, its start time and a
 * random token. A second run finds the file and fails with {@link OutputDirectoryLockedException} before it writes
 * anything; a lock whose process is no longer alive (or whose pid now belongs to a process started at another time)
 * is stale and is taken over with a message. See docs/file-formats.md, section Output directory lock.
 *
 * <p>Taking over a stale lock first renames it to a unique name (only one of several racing runs can), then checks
 * that the renamed file is still the stale one before creating a fresh lock, so two runs that find the same stale
 * lock never both own the directory.
 */
public final class OutputDirectoryLock implements AutoCloseable {
    /** Name of the lock file inside the output directory. */
    public static final String FILE_NAME = ".kronlaplace.lock";

    private final Path file;
    private final String content;
    private boolean released;

    private OutputDirectoryLock(Path file, String content) {
        this.file = file;
        this.content = content;
    }

    /**
     * Creates {@code dir} if needed and takes ownership of it.
     *
     * @param dir      the output directory; created with its parents when missing
     * @param messages receives one line when a stale lock is taken over
     * @return the lock, held until it is closed
     * @throws OutputDirectoryLockedException when a live run owns the directory
     * @throws IOException                    when the directory or the lock file cannot be created
     */
    public static OutputDirectoryLock acquire(Path dir, Consumer<String> messages) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        ProcessHandle self = ProcessHandle.current();
        String content = "pid=" + self.pid() + "\nstarted=" + startOf(self).map(Instant::toString).orElse("unknown")
                + "\ntoken=" + UUID.randomUUID() + "\n";
        if (tryCreate(file, content)) {
            return new OutputDirectoryLock(file, content);
        }
        String held = read(file);
        if (held == null) {
            // released between our attempt and the read: one more exclusive attempt decides
            if (tryCreate(file, content)) {
                return new OutputDirectoryLock(file, content);
            }
            throw locked(dir, file, read(file));
        }
        if (!isStale(held)) {
            throw locked(dir, file, held);
        }
        Path aside = dir.resolve(FILE_NAME + ".stale-" + UUID.randomUUID());
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            throw locked(dir, file, read(file));
        }
        String moved = Files.readString(aside, StandardCharsets.UTF_8);
        if (!moved.equals(held)) {
            // another run replaced the stale lock between our read and our rename: give its lock back
            Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
            throw locked(dir, file, moved);
        }
        Files.delete(aside);
        if (!tryCreate(file, content)) {
            throw locked(dir, file, read(file));
        }
        messages.accept("taking over the stale lock " + file + " of process " + field(held, "pid")
                + ", which is no longer running");
        return new OutputDirectoryLock(file, content);
    }

    /** Deletes the lock file if it is still this owner's; idempotent. */
    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        if (content.equals(read(file))) {
            Files.deleteIfExists(file);
        }
    }

    private static boolean tryCreate(Path file, String content) throws IOException {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The lock file's content, or null when there is none. */
    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (MalformedInputException e) {
            return "";
        }
    }

    /**
     * Whether the lock's owner is gone: its pid is not running, or is running but started at another time than the
     * owner did (the pid was reused). An unreadable lock (e.g. being written this instant) is never stale.
     */
    static boolean isStale(String content) {
        long pid;
        try {
            pid = Long.parseLong(field(content, "pid"));
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        String started = field(content, "started");
        Optional<Instant> actual = startOf(process.get());
        return actual.isPresent() && !started.equals("unknown") && !started.equals(actual.get().toString());
    }

    private static Optional<Instant> startOf(ProcessHandle process) {
        return process.info().startInstant();
    }

    private static String field(String content, String key) {
        for (String line : content.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        return "";
    }

    private static OutputDirectoryLockedException locked(Path dir, Path file, String held) {
        String pid = held == null ? "" : field(held, "pid");
        return new OutputDirectoryLockedException("output directory " + dir + " is in use by another run"
                + (pid.isEmpty() ? "" : " (process " + pid + ")") + "; choose another --out, or wait for it to "
                + "finish (if no run is using it, delete " + file + ")");
    }
}
