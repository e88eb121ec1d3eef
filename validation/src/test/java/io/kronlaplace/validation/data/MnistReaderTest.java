package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistReaderTest {
    private static byte[] idx(int rank, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * rank + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) rank);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /** 3 images of 4 x 5: pixel (i, y, x) = 10 i + 5 y + x (+ 200 for image 2, to exercise unsigned bytes). */
    private static byte[] pixels() {
        byte[] p = new byte[3 * 4 * 5];
        for (int i = 0; i < 3; i++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    p[i * 20 + y * 5 + x] = (byte) (10 * i + 5 * y + x + (i == 2 ? 200 : 0));
                }
            }
        }
        return p;
    }

    @Test
    void readsRawAndGzipIdentically(@TempDir Path dir) throws IOException {
        byte[] images = idx(3, new int[] {3, 4, 5}, pixels());
        byte[] labels = idx(1, new int[] {3}, new byte[] {7, 0, 9});
        Files.write(dir.resolve("img"), images);
        Files.write(dir.resolve("lab"), labels);
        Files.write(dir.resolve("img.gz"), gzip(images));
        Files.write(dir.resolve("lab.gz"), gzip(labels));
        ImageDataset raw = new MnistReader().read("raw", dir.resolve("img"), dir.resolve("lab"));
        ImageDataset gz = new MnistReader().read("gz", dir.resolve("img.gz"), dir.resolve("lab.gz"));
        assertArrayEquals(new long[] {3, 1, 4, 5}, raw.images().shape());
        assertArrayEquals(new int[] {7, 0, 9}, raw.labels());
        assertEquals((10 + 5 * 2 + 3) / 255.0, raw.images().getDouble(1, 0, 2, 3), 1e-7);
        assertEquals((20 + 5 * 3 + 4 + 200) / 255.0, raw.images().getDouble(2, 0, 3, 4), 1e-7);
        assertEquals(raw.images(), gz.images());
        assertArrayEquals(raw.labels(), gz.labels());
    }

    @Test
    void truncatedImagesAreReported(@TempDir Path dir) throws IOException {
        byte[] images = idx(3, new int[] {3, 4, 5}, pixels());
        Files.write(dir.resolve("img"), Arrays.copyOf(images, images.length - 7));
        Files.write(dir.resolve("lab"), idx(1, new int[] {3}, new byte[] {1, 2, 3}));
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new MnistReader().read("m", dir.resolve("img"), dir.resolve("lab")));
        assertTrue(e.getMessage().startsWith("img: truncated: header declares 60 data bytes but only 53 follow"),
                e.getMessage());
        assertTrue(e.getMessage().contains("record 2 incomplete"), e.getMessage());
    }

    @Test
    void badMagicCountMismatchAndLabelRange(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("img"), idx(3, new int[] {3, 4, 5}, pixels()));
        Files.write(dir.resolve("lab3"), idx(3, new int[] {3, 4, 5}, pixels()));
        Files.write(dir.resolve("lab2"), idx(1, new int[] {2}, new byte[] {1, 2}));
        Files.write(dir.resolve("lab12"), idx(1, new int[] {3}, new byte[] {1, 12, 3}));
        MnistReader reader = new MnistReader();
        assertTrue(assertThrows(CorruptDataException.class, () -> reader.read("m", dir.resolve("img"),
                dir.resolve("lab3"))).getMessage().contains("bad IDX magic 00 00 08 03"));
        assertTrue(assertThrows(CorruptDataException.class, () -> reader.read("m", dir.resolve("img"),
                dir.resolve("lab2"))).getMessage().contains("holds 2 labels but img holds 3 images"));
        assertTrue(assertThrows(CorruptDataException.class, () -> reader.read("m", dir.resolve("img"),
                dir.resolve("lab12"))).getMessage().contains("label 1 at byte offset 9 is 12, expected 0..9"));
    }

    /** Issue 20: damaged gzip data escaped as a bare ZipException or EOFException without the file name. */
    @Test
    void idxDamagedGzipIsACorruptDataException(@TempDir Path dir) throws IOException {
        byte[] good = gzip(idx(3, new int[] {3, 4, 5}, pixels()));
        Path labels = dir.resolve("labels");
        Files.write(labels, idx(1, new int[] {3}, new byte[] {1, 2, 3}));
        byte[] badHeader = good.clone();
        badHeader[3] = (byte) 0xff;
        byte[] badData = good.clone();
        badData[12] ^= 0x55;
        for (byte[] bytes : new byte[][] {badHeader, badData, Arrays.copyOf(good, good.length - 5),
            Arrays.copyOf(good, 6)}) {
            Path images = dir.resolve("images.gz");
            Files.write(images, bytes);
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> new MnistReader().read("t", images, labels));
            assertTrue(e.getMessage().contains("images.gz"), e.getMessage());
        }
    }

    /** Dimensions whose product overflows a long are rejected, not wrapped around to a small count. */
    @Test
    void idxDimensionOverflowIsRejected(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("images");
        Files.write(images, idx(3, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]));
        Path labels = dir.resolve("labels");
        Files.write(labels, idx(1, new int[] {3}, new byte[] {1, 2, 3}));
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new MnistReader().read("t", images, labels));
        assertTrue(e.getMessage().contains("too many"), e.getMessage());
    }
}
