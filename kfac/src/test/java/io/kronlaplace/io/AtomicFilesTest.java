package io.kronlaplace.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private static final byte[] OLD = "old content".getBytes(StandardCharsets.UTF_8);

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writesBytesAndTextCreatingMissingDirectories() throws IOException {
        Path file = dir.resolve("a/b/data.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        Path text = dir.resolve("notes.md");
        AtomicFiles.writeString(text, "Grüße\n");
        assertEquals("Grüße\n", Files.readString(text, StandardCharsets.UTF_8));
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryBehind() throws IOException {
        Path file = dir.resolve("model.bin");
        Files.write(file, OLD);
        AtomicFiles.write(file, new byte[] {9});
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(file));
        assertEquals(List.of("model.bin"), names());
    }

    @Test
    void targetKeepsTheOldContentUntilTheNewOneIsComplete() throws IOException {
        Path file = dir.resolve("checkpoint.bin");
        Files.write(file, OLD);
        AtomicFiles.write(file, out -> {
            out.write(new byte[] {1, 2});
            out.flush();
            // mid-write, the target still holds the complete old file: the new bytes go elsewhere
            assertArrayEquals(OLD, Files.readAllBytes(file));
            out.write(3);
        });
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
    }

    @Test
    void failingContentLeavesTheOldFileIntactAndNoTemporary() throws IOException {
        Path file = dir.resolve("weights.bin");
        Files.write(file, OLD);
        IOException thrown = new IOException("encoder failed");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[1000]);
            throw thrown;
        }));
        assertSame(thrown, e, "the content's own exception propagates unchanged");
        assertArrayEquals(OLD, Files.readAllBytes(file));
        assertEquals(List.of("weights.bin"), names());

        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, out -> {
            out.write(7);
            throw new IllegalStateException("bug");
        }));
        assertArrayEquals(OLD, Files.readAllBytes(file));
        assertEquals(List.of("weights.bin"), names());
    }

    @Test
    void contentMayCloseItsWrappers() throws IOException {
        Path file = dir.resolve("posterior.bin");
        AtomicFiles.write(file, raw -> {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
                out.writeLong(0x0102030405060708L);
            }
        });
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, Files.readAllBytes(file));
    }

    @Test
    void errorsNameTheTargetPath() throws IOException {
        Path notADirectory = dir.resolve("plain-file");
        Files.write(notADirectory, OLD);
        Path below = notADirectory.resolve("report.json");
        OutputWriteException e = assertThrows(OutputWriteException.class, () -> AtomicFiles.writeString(below,
                "{}"));
        assertTrue(e.getMessage().contains(below.toAbsolutePath().toString()), e.getMessage());
        assertEquals(below.toAbsolutePath(), e.path());

        Path occupied = dir.resolve("occupied");
        Files.createDirectories(occupied.resolve("child"));
        e = assertThrows(OutputWriteException.class, () -> AtomicFiles.write(occupied, new byte[] {1}));
        assertTrue(e.getMessage().contains(occupied.toAbsolutePath().toString()), e.getMessage());
        assertEquals(List.of("occupied", "plain-file"), names(), "temporary file removed after the failed move");
    }

    @Test
    void leftoversOfInterruptedWritesAreDeletedAndNothingElse() throws IOException {
        Path leftover = dir.resolve(".model.klm.123." + AtomicFiles.TEMPORARY_SUFFIX.substring(1));
        Files.write(leftover, OLD);
        Files.write(dir.resolve("model.klm"), OLD);
        Files.write(dir.resolve("notes.tmp"), OLD);
        assertEquals(1, AtomicFiles.deleteTemporaryFiles(dir));
        assertEquals(List.of("model.klm", "notes.tmp"), names());
        assertEquals(0, AtomicFiles.deleteTemporaryFiles(dir.resolve("absent")));
    }

    @Test
    void everyWrittenFileGetsTheSamePermissions() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX only");
        Path file = dir.resolve("search.json");
        Files.write(file, OLD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.writeString(file, "[]");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Path fresh = dir.resolve("fresh.npy");
        AtomicFiles.write(fresh, (OutputStream out) -> out.write(1));
        assertEquals(AtomicFiles.PERMISSIONS, Files.getPosixFilePermissions(fresh));
    }

    @Test
    void nullArgumentsAreRejected() {
        Path file = dir.resolve("x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.write(file, (AtomicFiles.Content) null));
        assertTrue(e.getMessage().contains("content"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.write(file, (byte[]) null));
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeString(file, null));
    }
}
