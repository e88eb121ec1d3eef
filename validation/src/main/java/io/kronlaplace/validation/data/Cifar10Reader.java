package io.kronlaplace.validation.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reads the CIFAR-10 binary distribution ({@code cifar-10-batches-bin}: {@code data_batch_1.bin} ...
 * {@code data_batch_5.bin} and {@code test_batch.bin}).
 *
 * <p>Each record is 3,073 bytes: one label byte (0..9) then 3,072 pixel bytes, the 32 x 32 red plane, then green,
 * then blue, each row-major. That is exactly NCHW order, so a record maps to one [3, 32, 32] image. Pixels are scaled
 * to [0, 1] (byte / 255) and stored as float32.
 *
 * <p>Every file is checked before use: its size must be exactly {@code recordsPerFile} records (10,000 in the
 * official files) and every label must be in 0..9. A truncated or corrupt file raises a
 * {@link CorruptDataException} naming the file, the byte offset and the record.
 */
public final class Cifar10Reader {
    /** Bytes per record: 1 label byte plus 3 x 32 x 32 pixel bytes. */
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
    /** Records in each official file. */
    public static final int OFFICIAL_RECORDS_PER_FILE = 10_000;
    /** Number of CIFAR-10 classes. */
    public static final int CLASSES = 10;
    /** Class names in label order. */
    public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private final int recordsPerFile;

    /** A reader for the official files (10,000 records each). */
    public Cifar10Reader() {
        this(OFFICIAL_RECORDS_PER_FILE);
    }

    /**
     * A reader expecting {@code recordsPerFile} records in each file (for subsets in the same format).
     *
     * @param recordsPerFile number of 3073-byte records each file must hold, >= 1
     */
    public Cifar10Reader(int recordsPerFile) {
        if (recordsPerFile < 1) {
            throw new IllegalArgumentException("records per file must be positive, got " + recordsPerFile);
        }
        this.recordsPerFile = recordsPerFile;
    }

    /**
     * The 50,000 training images from {@code data_batch_1.bin} ... {@code data_batch_5.bin} in {@code dir}.
     *
     * @param dir the folder of the CIFAR-10 binary version
     * @return the training images as {@code 50000 x 3 x 32 x 32} float32 in [0, 1], with their labels
     * @throws CorruptDataException when a file is truncated or holds a label outside 0..9
     * @throws IOException          when a file is missing or cannot be read
     */
    public ImageDataset readTrain(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int b = 1; b <= 5; b++) {
            files.add(dir.resolve("data_batch_" + b + ".bin"));
        }
        return read("cifar10-train", files);
    }

    /**
     * The 10,000 test images from {@code test_batch.bin} in {@code dir}.
     *
     * @param dir the folder of the CIFAR-10 binary version
     * @return the test images as {@code 10000 x 3 x 32 x 32} float32 in [0, 1], with their labels
     * @throws CorruptDataException when the file is truncated or holds a label outside 0..9
     * @throws IOException          when the file is missing or cannot be read
     */
    public ImageDataset readTest(Path dir) throws IOException {
        return read("cifar10-test", List.of(dir.resolve("test_batch.bin")));
    }

    /**
     * All records of the given files, in file order, as one data set.
     *
     * @param name  the data set's name
     * @param files CIFAR-10 binary files, each with the expected number of records
     * @return the images as {@code N x 3 x 32 x 32} float32 in [0, 1], with their labels
     * @throws CorruptDataException when a file is truncated or holds a label outside 0..9
     * @throws IOException          when a file is missing or cannot be read
     */
    public ImageDataset read(String name, List<Path> files) throws IOException {
        for (Path file : files) {
            checkSize(file);
        }
        int total = Math.multiplyExact(recordsPerFile, files.size());
        INDArray images = Nd4j.create(DataType.FLOAT, total, 3, 32, 32);
        int[] labels = new int[total];
        for (int f = 0; f < files.size(); f++) {
            int first = f * recordsPerFile;
            float[] pixels = readFile(files.get(f), labels, first);
            images.get(NDArrayIndex.interval(first, first + recordsPerFile), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).assign(Nd4j.createFromArray(pixels).reshape('c', recordsPerFile, 3, 32, 32));
        }
        return new ImageDataset(name, images, labels, CLASSES);
    }

    private void checkSize(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "CIFAR-10 binary file not found");
        }
        long size = Files.size(file);
        long expected = (long) recordsPerFile * RECORD_BYTES;
        if (size != expected) {
            long complete = size / RECORD_BYTES;
            String where = size < expected && size % RECORD_BYTES == 0
                    // whole records only: a shortened file, not one cut mid-record
                    ? "it holds " + complete + " complete records, fewer than a full file (use --train-size or "
                            + "--test-size to take fewer images from full files)"
                    : size < expected
                    ? "truncated: record " + complete + " (0-based) is incomplete at byte offset "
                            + complete * RECORD_BYTES
                    : "has " + (size - expected) + " unexpected trailing bytes after offset " + expected;
            throw new CorruptDataException(file, "size " + size + " bytes, expected " + expected + " ("
                    + recordsPerFile + " records of " + RECORD_BYTES + " bytes); " + where);
        }
    }

    private float[] readFile(Path file, int[] labels, int first) throws IOException {
        float[] pixels = new float[recordsPerFile * (RECORD_BYTES - 1)];
        byte[] record = new byte[RECORD_BYTES];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            for (int r = 0; r < recordsPerFile; r++) {
                int read = in.readNBytes(record, 0, RECORD_BYTES);
                if (read != RECORD_BYTES) {
                    throw new CorruptDataException(file, "record " + r + " at byte offset " + (long) r * RECORD_BYTES
                            + " is truncated (file changed while reading?)");
                }
                int label = record[0] & 0xff;
                if (label >= CLASSES) {
                    throw new CorruptDataException(file, "record " + r + " at byte offset " + (long) r * RECORD_BYTES
                            + " has label " + label + ", expected 0.." + (CLASSES - 1));
                }
                labels[first + r] = label;
                int base = r * (RECORD_BYTES - 1);
                for (int p = 1; p < RECORD_BYTES; p++) {
                    pixels[base + p - 1] = (record[p] & 0xff) / 255f;
                }
            }
        }
        return pixels;
    }
}
