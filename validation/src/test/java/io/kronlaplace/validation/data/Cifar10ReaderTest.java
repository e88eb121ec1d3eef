package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
    private static final int RECORDS = 3;

    /** Record r of file f: label (f + r) % 10, pixel byte k = (7 f + 3 r + k) % 256. */
    private static byte[] file(int f, int records) {
        byte[] bytes = new byte[records * Cifar10Reader.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int base = r * Cifar10Reader.RECORD_BYTES;
            bytes[base] = (byte) ((f + r) % 10);
            for (int k = 0; k < 3072; k++) {
                bytes[base + 1 + k] = (byte) ((7 * f + 3 * r + k) % 256);
            }
        }
        return bytes;
    }

    @Test
    void readsLabelsAndChannelMajorPixels(@TempDir Path dir) throws IOException {
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), file(b, RECORDS));
        }
        Files.write(dir.resolve("test_batch.bin"), file(0, RECORDS));
        Cifar10Reader reader = new Cifar10Reader(RECORDS);
        ImageDataset train = reader.readTrain(dir);
        assertEquals(15, train.size());
        assertArrayEquals(new long[] {15, 3, 32, 32}, train.images().shape());
        for (int f = 1; f <= 5; f++) {
            for (int r = 0; r < RECORDS; r++) {
                int i = (f - 1) * RECORDS + r;
                assertEquals((f + r) % 10, train.label(i));
                // pixel byte k = c * 1024 + y * 32 + x: red plane, then green, then blue
                for (int[] cyx : new int[][] {{0, 0, 0}, {0, 5, 31}, {1, 0, 0}, {2, 31, 31}, {1, 17, 3}}) {
                    int k = cyx[0] * 1024 + cyx[1] * 32 + cyx[2];
                    double expected = ((7 * f + 3 * r + k) % 256) / 255.0;
                    assertEquals(expected, train.images().getDouble(i, cyx[0], cyx[1], cyx[2]), 1e-6);
                }
            }
        }
        ImageDataset test = reader.readTest(dir);
        assertEquals(RECORDS, test.size());
        assertEquals(1, test.label(1));
    }

    @Test
    void truncatedFileNamesFileRecordAndOffset(@TempDir Path dir) throws IOException {
        byte[] full = file(0, RECORDS);
        byte[] cut = Arrays.copyOf(full, full.length - 100);
        Files.write(dir.resolve("test_batch.bin"), cut);
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new Cifar10Reader(RECORDS).readTest(dir));
        assertTrue(e.getMessage().startsWith("test_batch.bin: size " + cut.length), e.getMessage());
        assertTrue(e.getMessage().contains("record 2 (0-based) is incomplete at byte offset "
                + 2 * Cifar10Reader.RECORD_BYTES), e.getMessage());
        assertEquals(dir.resolve("test_batch.bin"), e.file());
    }

    @Test
    void aFileOfFewerCompleteRecordsIsNotCalledTruncated(@TempDir Path dir) throws IOException {
        byte[] full = file(0, RECORDS);
        Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(full, 2 * Cifar10Reader.RECORD_BYTES));
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new Cifar10Reader(RECORDS).readTest(dir));
        assertTrue(e.getMessage().contains("it holds 2 complete records, fewer than a full file"), e.getMessage());
        assertFalse(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void trailingBytesAreReported(@TempDir Path dir) throws IOException {
        byte[] full = file(0, RECORDS);
        Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(full, full.length + 5));
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new Cifar10Reader(RECORDS).readTest(dir));
        assertTrue(e.getMessage().contains("5 unexpected trailing bytes"), e.getMessage());
    }

    @Test
    void outOfRangeLabelNamesRecordAndOffset(@TempDir Path dir) throws IOException {
        byte[] bytes = file(0, RECORDS);
        bytes[Cifar10Reader.RECORD_BYTES] = (byte) 200;
        Files.write(dir.resolve("test_batch.bin"), bytes);
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new Cifar10Reader(RECORDS).readTest(dir));
        assertTrue(e.getMessage().contains("record 1 at byte offset 3073 has label 200, expected 0..9"),
                e.getMessage());
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> new Cifar10Reader().readTrain(dir));
        assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
    }
}
