package io.kronlaplace.validation.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST), raw or gzip-compressed (detected from the gzip magic
 * bytes 1f 8b, not from the file name).
 *
 * <p>IDX layout: a 4-byte big-endian magic {@code 0x00 0x00 type rank} with type {@code 0x08} (unsigned byte), then
 * {@code rank} big-endian 32-bit dimension sizes, then the data row-major. Image files have rank 3 (count, rows,
 * columns), label files rank 1. Images become [N, 1, rows, columns] float32 scaled to [0, 1] (byte / 255).
 */
public final class MnistReader {
    private static final int UNSIGNED_BYTE = 0x08;

    private final int numClasses;

    /** A reader for ten-class data (MNIST, Fashion-MNIST). */
    public MnistReader() {
        this(10);
    }

    /**
     * A reader whose labels must lie in 0..numClasses-1.
     *
     * @param numClasses number of classes, >= 1
     */
    public MnistReader(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("number of classes must be positive, got " + numClasses);
        }
        this.numClasses = numClasses;
    }

    /**
     * Reads an image file and its label file (for example {@code train-images-idx3-ubyte.gz} and
     * {@code train-labels-idx1-ubyte.gz}).
     *
     * @param name       the data set's name
     * @param imagesFile IDX file of {@code N x H x W} unsigned-byte images, optionally gzipped
     * @param labelsFile IDX file of N unsigned-byte labels, optionally gzipped
     * @return the images as {@code N x 1 x H x W} float32 in [0, 1], with their labels
     * @throws CorruptDataException on malformed content, mismatched counts or a label outside the class range
     * @throws IOException          when a file is missing or cannot be read
     */
    public ImageDataset read(String name, Path imagesFile, Path labelsFile) throws IOException {
        Idx images = readIdx(imagesFile, 3);
        Idx labels = readIdx(labelsFile, 1);
        if (images.dims[0] != labels.dims[0]) {
            throw new CorruptDataException(labelsFile, "holds " + labels.dims[0] + " labels but "
                    + imagesFile.getFileName() + " holds " + images.dims[0] + " images");
        }
        int n = images.dims[0];
        int[] labelValues = new int[n];
        for (int i = 0; i < n; i++) {
            int label = labels.data[i] & 0xff;
            if (label >= numClasses) {
                throw new CorruptDataException(labelsFile, "label " + i + " at byte offset " + (labels.headerBytes + i)
                        + " is " + label + ", expected 0.." + (numClasses - 1));
            }
            labelValues[i] = label;
        }
        float[] pixels = new float[images.data.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (images.data[i] & 0xff) / 255f;
        }
        return new ImageDataset(name, Nd4j.createFromArray(pixels).castTo(DataType.FLOAT)
                .reshape('c', n, 1, images.dims[1], images.dims[2]), labelValues, numClasses);
    }

    private record Idx(int[] dims, byte[] data, int headerBytes) {
    }

    private static Idx readIdx(Path file, int expectedRank) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "IDX file not found");
        }
        try (InputStream in = open(file)) {
            return readIdx(in, file, expectedRank);
        } catch (ZipException | EOFException e) {
            throw new CorruptDataException(file, "damaged gzip compression: " + e.getMessage(), e);
        }
    }

    private static Idx readIdx(InputStream in, Path file, int expectedRank) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new CorruptDataException(file, "only " + magic.length + " bytes, too short for an IDX header");
        }
        if (magic[0] != 0 || magic[1] != 0 || (magic[2] & 0xff) != UNSIGNED_BYTE || magic[3] != expectedRank) {
            throw new CorruptDataException(file, String.format("bad IDX magic %02x %02x %02x %02x at offset 0, "
                    + "expected 00 00 08 %02x (unsigned bytes, rank %d)", magic[0], magic[1], magic[2], magic[3],
                    expectedRank, expectedRank));
        }
        int[] dims = new int[expectedRank];
        long count = 1;
        for (int d = 0; d < expectedRank; d++) {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) {
                throw new CorruptDataException(file, "header truncated while reading dimension " + d
                        + " at offset " + (4 + 4 * d));
            }
            dims[d] = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                throw new CorruptDataException(file, "dimension " + d + " has invalid size " + dims[d]);
            }
            count *= dims[d];
            if (count > Integer.MAX_VALUE - 16) {
                throw new CorruptDataException(file, "dimensions up to " + d + " at offset " + (4 + 4 * d)
                        + " declare " + count + " bytes of data, too many");
            }
        }
        int header = 4 + 4 * expectedRank;
        byte[] data = in.readNBytes((int) count);
        if (data.length < count) {
            throw new CorruptDataException(file, "truncated: header declares " + count + " data bytes but only "
                    + data.length + " follow (data ends at offset " + (header + data.length) + ", record "
                    + (expectedRank == 1 ? data.length : data.length / (count / dims[0])) + " incomplete)");
        }
        if (in.read() != -1) {
            throw new CorruptDataException(file, "unexpected trailing bytes after offset " + (header + count));
        }
        return new Idx(dims, data, header);
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
    }
}
