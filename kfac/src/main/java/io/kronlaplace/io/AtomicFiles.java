package io.kronlaplace.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file completely or not at all; every file the project writes (weights, posteriors, checkpoints,
 * {@code .npy} arrays, factor indexes, reports, charts, search results) goes through here.
 *
 * <p>The content is written to a temporary file in the target's directory (so the final rename never crosses file
 * systems), forced to disk, given the permissions {@link #PERMISSIONS} and then moved over the target in one atomic
 * step. A reader therefore sees either the previous file or the complete new one, never a half-written file, even
 * when the process dies mid-write. When anything fails the temporary file is deleted and the previous file is left
 * untouched.
 *
 * <p>Permissions: on POSIX file systems every written file is {@code rw-r--r--}, whatever kind of file it is.
 * Temporary files are created owner-only; without this step models and checkpoints would end up private while
 * reports are shared, depending only on which writer happened to produce them. Nothing the project writes is
 * secret, and owner-writable, world-readable is what a plain file gets under the usual umask. The formats written this
 * way are listed in docs/laplace.md, section File formats.
 */
public final class AtomicFiles {
    /** Name suffix of temporary files; they are never read and may be deleted when no write is running. */
    public static final String TEMPORARY_SUFFIX = ".tmp";
    /** Permissions of every written file on POSIX file systems. */
    public static final Set<PosixFilePermission> PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFiles() {
    }

    /**
     * Produces a file's content. The stream is unbuffered (wrap it in a {@link java.io.BufferedOutputStream} for many
     * small writes); closing it only flushes, so callers may use try-with-resources on wrappers.
     */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the whole content.
         *
         * @param out the stream into the temporary file; closing it only flushes, the file is completed after this
         *            method returns
         * @throws IOException propagated unchanged to the caller of {@link #write(Path, Content)}
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Atomically replaces (or creates) {@code target} with what {@code content} writes, creating missing parent
     * directories. Exceptions thrown by {@code content} propagate unchanged after the temporary file is removed;
     * failures of the file system (creating, writing, syncing or renaming) are reported as an
     * {@link OutputWriteException} whose message names {@code target}.
     *
     * @param target  the file to replace or create
     * @param content writes the file's complete content
     * @throws OutputWriteException when the file system cannot create, write, sync or rename the file
     * @throws IOException          what {@code content} throws, unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        if (target == null || content == null) {
            throw new IllegalArgumentException("target and content must not be null");
        }
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temporary;
        try {
            Files.createDirectories(dir);
            temporary = Files.createTempFile(dir, "." + absolute.getFileName() + ".", TEMPORARY_SUFFIX);
        } catch (IOException e) {
            throw failure(absolute, "cannot create a temporary file in " + dir, e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                content.writeTo(new TargetStream(Channels.newOutputStream(channel), absolute));
                sync(channel, absolute);
            }
            makeShared(temporary, absolute);
            move(temporary, absolute);
        } catch (IOException | RuntimeException | Error e) {
            // the original failure is what the caller needs; a failed clean-up only rides along
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code bytes}; see {@link #write(Path, Content)}.
     *
     * @param target the file to replace or create; missing parent directories are created
     * @param bytes  the file's complete content; not null, may be empty
     * @throws IllegalArgumentException when {@code target} or {@code bytes} is null
     * @throws OutputWriteException     (an {@link IOException}) naming {@code target} when the file system cannot
     *                                  create, write, sync or rename the file
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        write(target, out -> out.write(bytes));
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code text} in UTF-8; see {@link #write(Path, Content)}.
     *
     * @param target the file to replace or create; missing parent directories are created
     * @param text   the file's complete content, encoded as UTF-8 without a byte-order mark; not null
     * @throws IllegalArgumentException when {@code target} or {@code text} is null
     * @throws OutputWriteException     (an {@link IOException}) naming {@code target} when the file system cannot
     *                                  create, write, sync or rename the file
     */
    public static void writeString(Path target, CharSequence text) throws IOException {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        write(target, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deletes the temporary files that interrupted writes left in {@code dir} (a process killed between creating and
     * renaming its temporary file). Call it only while no write into {@code dir} is running, e.g. while holding the
     * directory's lock; subdirectories are not searched.
     *
     * @param dir the directory to clean; nothing happens when it does not exist
     * @return how many files were deleted
     * @throws OutputWriteException when a leftover cannot be deleted
     * @throws IOException          when the directory cannot be listed
     */
    public static int deleteTemporaryFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".*" + TEMPORARY_SUFFIX)) {
            for (Path leftover : leftovers) {
                try {
                    Files.deleteIfExists(leftover);
                } catch (IOException e) {
                    throw failure(leftover, "cannot delete the leftover temporary file", e);
                }
                deleted++;
            }
        }
        return deleted;
    }

    private static void sync(FileChannel channel, Path target) throws IOException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw failure(target, "cannot force the new content to disk", e);
        }
    }

    private static void makeShared(Path temporary, Path target) throws IOException {
        try {
            if (Files.getFileStore(temporary).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(temporary, PERMISSIONS);
            }
        } catch (IOException e) {
            throw failure(target, "cannot set the file permissions", e);
        }
    }

    private static void move(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failure(target, "cannot move the new content into place", e);
        }
    }

    private static OutputWriteException failure(Path target, String what, IOException cause) {
        return new OutputWriteException(target, "cannot write " + target + ": " + what + " (" + reason(cause) + ")",
                cause);
    }

    /** The file system's reason without the exception's class name (e.g. "No space left on device"). */
    private static String reason(IOException cause) {
        if (cause instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (cause instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** The stream handed to {@link Content}: names the target in write failures, and close() only flushes. */
    private static final class TargetStream extends FilterOutputStream {
        private final Path target;

        TargetStream(OutputStream out, Path target) {
            super(out);
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw failure(target, "write failed", e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failure(target, "write failed", e);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
