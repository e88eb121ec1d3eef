package io.kronlaplace.hyperopt.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.io.AtomicFiles;
import io.kronlaplace.io.Utf8Text;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes {@link CheckpointData} in a self-checking binary format, atomically.
 *
 * <p>Layout (little-endian): magic {@code "KLCKPT01"}; kind (int length + UTF-8); metadata JSON (int length + UTF-8);
 * tensor count; per tensor: name (int length + UTF-8), data type code (1 = float32, 2 = float64, 3 = int64), rank,
 * shape (longs), raw values in C order; then the CRC-32 of every preceding byte (long). The checksum makes a
 * truncated or damaged file fail loudly instead of resuming from garbage.
 *
 * <p>Writes go to a temporary file in the target's directory which is flushed to disk and then renamed over the
 * target in one atomic step, so a crash mid-write leaves the previous checkpoint intact; leftover temporary files
 * are never read.
 */
public final class CheckpointFile {
    /** The word for a training checkpoint in error messages. */
    public static final String CHECKPOINT = "checkpoint";
    private static final byte[] MAGIC = "KLCKPT01".getBytes(StandardCharsets.US_ASCII);
    /** The largest file: one Java array holds it. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;
    /** ND4J's arrays of rank above 8 are not used by any checkpoint writer. */
    private static final int MAX_RANK = 8;
    /** The smallest encoded tensor: name length, type code and rank. */
    private static final int MIN_TENSOR_BYTES = 4 + 1 + 4;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CheckpointFile() {
    }

    /**
     * The suffix of the temporary files written before the atomic rename (never read back), e.g. to skip them when
     * listing a directory.
     *
     * @return the suffix appended to the target's file name
     */
    public static String temporarySuffix() {
        return AtomicFiles.TEMPORARY_SUFFIX;
    }

    /**
     * Writes the checkpoint atomically: the file at {@code target} is either the old checkpoint or the new one.
     *
     * @param target where the checkpoint goes, replaced when it exists
     * @param data   the kind, metadata and tensors to store
     * @throws IOException when the directory is not writable or the disk is full (the old checkpoint survives)
     */
    public static void write(Path target, CheckpointData data) throws IOException {
        AtomicFiles.write(target, encode(data));
    }

    /**
     * Reads and verifies a checkpoint.
     *
     * @param file the checkpoint file
     * @return its kind, metadata and tensors
     * @throws IOException                when it cannot be read
     * @throws NoSuchFileException        when the file does not exist
     * @throws CorruptCheckpointException when it is truncated, damaged or not a checkpoint
     */
    public static CheckpointData read(Path file) throws IOException {
        return read(file, CHECKPOINT);
    }

    /**
     * Reads and verifies a file of this container format, naming it as {@code kind} in every error.
     *
     * @param file the file
     * @param kind what the file should be, e.g. {@link #CHECKPOINT} or {@link SavedModel#FILE_KIND}
     * @return its kind, metadata and tensors
     * @throws IOException                when it cannot be read
     * @throws NoSuchFileException        when the file does not exist
     * @throws CorruptCheckpointException when it is truncated, damaged or not of this format
     */
    public static CheckpointData read(Path file, String kind) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, kind + " does not exist");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new CorruptCheckpointException(file, kind, size + " bytes exceed the 2 GiB format limit", null);
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MAGIC.length + Long.BYTES) {
            throw new CorruptCheckpointException(file, kind,
                    "only " + bytes.length + " bytes, too short to be a " + kind, null);
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new CorruptCheckpointException(file, kind, "not a kronlaplace " + kind + " (bad magic header)",
                        null);
            }
        }
        int body = bytes.length - Long.BYTES;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, body);
        long stored = ByteBuffer.wrap(bytes, body, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (stored != crc.getValue()) {
            throw new CorruptCheckpointException(file, kind, "checksum mismatch (file truncated or damaged)", null);
        }
        ByteBuffer content = ByteBuffer.wrap(bytes, 0, body).order(ByteOrder.LITTLE_ENDIAN);
        content.position(MAGIC.length);
        try {
            return decode(content);
        } catch (JsonProcessingException e) {
            throw new CorruptCheckpointException(file, kind, "metadata at offset " + content.position()
                    + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
            throw new CorruptCheckpointException(file, kind, "malformed content at offset " + content.position()
                    + ": " + e.getMessage(), e);
        }
    }

    private static byte[] encode(CheckpointData data) throws IOException {
        byte[] kind = data.kind().getBytes(StandardCharsets.UTF_8);
        byte[] meta = JSON.writeValueAsBytes(data.metadata());
        long size = MAGIC.length + 4L + kind.length + 4L + meta.length + 4L + Long.BYTES;
        Map<String, byte[]> names = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : data.tensors().entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            names.put(e.getKey(), name);
            INDArray t = e.getValue();
            size += 4L + name.length + 1 + 4 + 8L * t.rank() + t.length() * (long) elementSize(t.dataType(), e.getKey());
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("checkpoint of " + size + " bytes exceeds the 2 GiB format limit");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC);
        buf.putInt(kind.length).put(kind);
        buf.putInt(meta.length).put(meta);
        buf.putInt(data.tensors().size());
        for (Map.Entry<String, INDArray> e : data.tensors().entrySet()) {
            byte[] name = names.get(e.getKey());
            INDArray t = e.getValue();
            buf.putInt(name.length).put(name);
            buf.put(typeCode(t.dataType()));
            buf.putInt(t.rank());
            for (long s : t.shape()) {
                buf.putLong(s);
            }
            INDArray c = t.isView() || t.ordering() != 'c' ? t.dup('c') : t;
            switch (t.dataType()) {
                case FLOAT -> buf.asFloatBuffer().put(c.data().asFloat(), 0, (int) t.length());
                case DOUBLE -> buf.asDoubleBuffer().put(c.data().asDouble(), 0, (int) t.length());
                default -> buf.asLongBuffer().put(c.data().asLong(), 0, (int) t.length());
            }
            buf.position(buf.position() + (int) t.length() * elementSize(t.dataType(), e.getKey()));
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putLong(crc.getValue());
        return buf.array();
    }

    /**
     * Parses the body after the checksum was verified. A valid checksum proves only that the bytes are the ones
     * written, not that a writer (or a crafter) wrote sensible ones: every length is checked against the bytes left,
     * sizes are multiplied overflow-safely, tensor names must be distinct and the metadata a JSON object.
     */
    private static CheckpointData decode(ByteBuffer buf) throws IOException {
        String kind = string(buf);
        byte[] meta = new byte[checkedLength(buf)];
        buf.get(meta);
        JsonNode metadata;
        try {
            // decoded as UTF-8 here: Jackson would guess UTF-16 or UTF-32 from the first bytes of damaged metadata
            metadata = JSON.readTree(Utf8Text.decode(meta));
        } catch (Utf8Text.MalformedException e) {
            throw new IllegalArgumentException("metadata is not UTF-8: " + e.getMessage(), e);
        }
        if (metadata == null || !metadata.isObject()) {
            throw new IllegalArgumentException("metadata is not a JSON object");
        }
        int count = buf.getInt();
        if (count < 0 || count > buf.remaining() / MIN_TENSOR_BYTES) {
            throw new IllegalArgumentException("tensor count " + count + " cannot fit in the " + buf.remaining()
                    + " bytes left");
        }
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = string(buf);
            if (tensors.containsKey(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' is stored twice");
            }
            DataType type = switch (buf.get()) {
                case 1 -> DataType.FLOAT;
                case 2 -> DataType.DOUBLE;
                case 3 -> DataType.INT64;
                default -> throw new IllegalArgumentException("unknown data type code for tensor '" + name + "'");
            };
            int rank = buf.getInt();
            if (rank < 0 || rank > MAX_RANK) {
                throw new IllegalArgumentException("tensor '" + name + "' has rank " + rank);
            }
            long[] shape = new long[rank];
            long length = 1;
            long nonZero = 1;
            for (int r = 0; r < rank; r++) {
                shape[r] = buf.getLong();
                if (shape[r] < 0) {
                    throw new IllegalArgumentException("tensor '" + name + "' has negative size " + shape[r]);
                }
                length = Math.multiplyExact(length, shape[r]);
                nonZero = Math.multiplyExact(nonZero, Math.max(shape[r], 1));
            }
            int size = elementSize(type, name);
            if (nonZero > Integer.MAX_VALUE || Math.multiplyExact(length, size) > buf.remaining()) {
                throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " needs more than the " + buf.remaining() + " bytes left");
            }
            int n = (int) length;
            INDArray t = switch (type) {
                case FLOAT -> {
                    float[] v = new float[n];
                    buf.asFloatBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
                case DOUBLE -> {
                    double[] v = new double[n];
                    buf.asDoubleBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
                default -> {
                    long[] v = new long[n];
                    buf.asLongBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
            };
            buf.position(buf.position() + n * size);
            tensors.put(name, n == 0 ? Nd4j.create(type, shape) : rank == 0 ? t.reshape() : t.reshape(shape));
        }
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException(buf.remaining() + " unexpected bytes after the last tensor");
        }
        return new CheckpointData(kind, metadata, tensors);
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[checkedLength(buf)];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int checkedLength(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("field length " + n + " exceeds the " + buf.remaining()
                    + " remaining bytes");
        }
        return n;
    }

    private static byte typeCode(DataType type) {
        return switch (type) {
            case FLOAT -> 1;
            case DOUBLE -> 2;
            case LONG -> 3;
            default -> throw new IllegalArgumentException("checkpoint tensors must be float32, float64 or int64, got "
                    + type);
        };
    }

    private static int elementSize(DataType type, String name) {
        return switch (type) {
            case FLOAT -> 4;
            case DOUBLE, LONG -> 8;
            default -> throw new IllegalArgumentException("tensor '" + name + "' has unsupported type " + type
                    + " (float32, float64 or int64 only)");
        };
    }
}
