package io.kronlaplace.io;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.Tensors;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saves and loads a {@link Network}'s parameters and buffers (BatchNorm running statistics).
 *
 * <p>Format, version 1, all numbers big-endian:
 * <pre>
 *   magic          8 bytes  "KLWEIGHT"
 *   version        int32    1
 *   architecture   UTF      fingerprint of the network's tensor names, roles and shapes ({@link #fingerprint})
 *   count          int32    number of tensors
 *   count times:
 *     name         UTF      dotted name, e.g. "group1.0.main.conv1.weight"
 *     role         int8     0 = parameter, 1 = buffer
 *     dtype        int8     1 = float32, 2 = float64
 *     rank         int32    0..8
 *     shape        rank x int64
 *     data         prod(shape) values of dtype, C order
 *   checksum       int64    CRC-32 of every byte before it
 * </pre>
 * ("UTF" is Java's modified UTF-8 with a 2-byte length, {@link DataOutputStream#writeUTF}.) Files are written with
 * {@link AtomicFiles}, so a crash never leaves a half-written file under the target name. Loading checks every tensor's name, role and shape against the network in order and
 * reports the first mismatch; values are converted to the network's floating-point type.
 */
public final class WeightsFile {
    /** The first eight bytes of every weights file. */
    public static final byte[] MAGIC = "KLWEIGHT".getBytes(StandardCharsets.US_ASCII);
    /** The format version written by {@link #save}. */
    public static final int VERSION = 1;

    private static final int MAX_RANK = 8;
    private static final int PARAMETER = 0;
    private static final int BUFFER = 1;
    private static final int FLOAT32 = 1;
    private static final int FLOAT64 = 2;

    private WeightsFile() {
    }

    /** One stored tensor. */
    private record Entry(String name, int role, long[] shape, INDArray value) {
    }

    /**
     * Writes all parameters and buffers of {@code network} to {@code file} atomically.
     *
     * @param network the network whose parameters and buffers (e.g. BatchNorm running statistics) are saved, in the
     *                network's order and each in its own floating type
     * @param file    the file to replace or create; missing parent directories are created
     * @throws WeightsFileException when a tensor holds NaN or infinity
     * @throws IOException          when the file cannot be written
     */
    public static void save(Network network, Path file) throws IOException {
        List<Entry> entries = finiteEntries(network);
        AtomicFiles.write(file, raw -> write(network, entries, raw));
    }

    /**
     * The bytes {@link #save} would write, e.g. to ship a network's weights to other processes.
     *
     * @param network the network whose parameters and buffers are encoded
     * @return the complete encoding, checksum included
     * @throws WeightsFileException when a tensor holds NaN or infinity
     */
    public static byte[] toBytes(Network network) throws WeightsFileException {
        List<Entry> entries = finiteEntries(network);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(network, entries, out);
        } catch (WeightsFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static List<Entry> finiteEntries(Network network) throws WeightsFileException {
        List<Entry> entries = entries(network);
        for (Entry e : entries) {
            if (!Tensors.allFinite(e.value())) {
                throw new WeightsFileException("refusing to save '" + e.name() + "': it contains NaN or infinite "
                        + "values");
            }
        }
        return entries;
    }

    private static void write(Network network, List<Entry> entries, OutputStream raw) throws IOException {
        CRC32 crc = new CRC32();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                new BufferedOutputStream(raw, 1 << 16), crc));
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(fingerprint(network));
        out.writeInt(entries.size());
        for (Entry e : entries) {
            writeTensor(out, e);
        }
        out.flush();
        new DataOutputStream(raw).writeLong(crc.getValue());
        raw.flush();
    }

    /**
     * Reads {@code file} into {@code network}'s parameters and buffers (in place). Nothing is changed unless the
     * whole file is valid and matches the network.
     *
     * @param network the network to fill; stored values are cast to each tensor's own type
     * @param file    a file written by {@link #save}
     * @throws WeightsFileException when the file is not a weights file, is truncated or corrupt, or was saved from a
     *                              different architecture (the message names the first mismatching tensor)
     * @throws IOException          when the file cannot be read
     */
    public static void load(Network network, Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new WeightsFileException("weights file " + file + " does not exist", e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            read(network, raw, size, file.toString());
        }
    }

    /**
     * Reads bytes from {@link #toBytes} (or a weights file's content) into {@code network} with the checks of
     * {@link #load}.
     *
     * @param network the network to fill; nothing is changed unless the bytes are valid and match it
     * @param bytes   the complete encoding, from {@link #toBytes} or a weights file
     * @param source  names the bytes in error messages, e.g. "broadcast weights"
     * @throws WeightsFileException when the bytes are not valid weights of this network's architecture
     */
    public static void fromBytes(Network network, byte[] bytes, String source) throws WeightsFileException {
        try {
            read(network, new ByteArrayInputStream(bytes), bytes.length, source);
        } catch (WeightsFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory failed", e);
        }
    }

    private static void read(Network network, InputStream raw, long size, String file) throws IOException {
        List<Entry> stored;
        String architecture;
        try {
            CRC32 crc = new CRC32();
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new WeightsFileException(file + " is not a weights file (bad magic bytes "
                        + HexFormat.of().formatHex(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new WeightsFileException(file + " has format version " + version + ", this reader supports "
                        + VERSION);
            }
            architecture = in.readUTF();
            int count = in.readInt();
            if (count < 0 || count > size / 8) {
                throw new WeightsFileException(file + " is corrupt: tensor count " + count + " for a file of " + size
                        + " bytes");
            }
            stored = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                stored.add(readTensor(in, file, size));
            }
            long expected = crc.getValue();
            long written = new DataInputStream(raw).readLong();
            if (written != expected) {
                throw new WeightsFileException(file + " is corrupt: checksum mismatch (stored "
                        + Long.toHexString(written) + ", computed " + Long.toHexString(expected) + ")");
            }
            if (raw.read() != -1) {
                throw new WeightsFileException(file + " is corrupt: extra bytes after the checksum");
            }
        } catch (EOFException e) {
            throw new WeightsFileException(file + " is truncated (" + size + " bytes)", e);
        } catch (UTFDataFormatException e) {
            throw new WeightsFileException(file + " is corrupt: a name is not valid modified UTF-8 (" + e.getMessage()
                    + ")", e);
        }
        List<Entry> expected = entries(network);
        for (int i = 0; i < Math.max(expected.size(), stored.size()); i++) {
            if (i >= stored.size()) {
                throw mismatch(file, "the file ends after " + stored.size() + " tensors but the network also has '"
                        + expected.get(i).name() + "'");
            }
            if (i >= expected.size()) {
                throw mismatch(file, "the file has extra tensor '" + stored.get(i).name() + "' after the network's "
                        + expected.size() + " tensors");
            }
            Entry want = expected.get(i);
            Entry got = stored.get(i);
            if (!want.name().equals(got.name()) || want.role() != got.role()) {
                throw mismatch(file, "tensor " + i + " is " + describe(got) + " in the file but " + describe(want)
                        + " in the network");
            }
            if (!Arrays.equals(want.shape(), got.shape())) {
                throw mismatch(file, "'" + want.name() + "' has shape " + Arrays.toString(got.shape())
                        + " in the file but " + Arrays.toString(want.shape()) + " in the network");
            }
        }
        String mine = fingerprint(network);
        if (!mine.equals(architecture)) {
            throw mismatch(file, "architecture fingerprint " + architecture + " differs from the network's " + mine);
        }
        for (int i = 0; i < expected.size(); i++) {
            INDArray target = expected.get(i).value();
            target.assign(stored.get(i).value().castTo(target.dataType()));
        }
    }

    /**
     * A fingerprint of the network's architecture: SHA-256 over every tensor's name, role and shape, in order, with the
     * tensor count and total size, e.g. {@code "tensors=93 values=2748890 sha256=..."}.
     *
     * @param network the network to describe; only the names, roles and shapes of its tensors enter, not their values
     * @return the fingerprint, equal for two networks exactly when their tensor lists agree (barring hash collisions)
     */
    public static String fingerprint(Network network) {
        List<Entry> entries = entries(network);
        StringBuilder text = new StringBuilder();
        long values = 0;
        for (Entry e : entries) {
            text.append(e.name()).append('|').append(e.role()).append('|').append(Arrays.toString(e.shape()))
                    .append('\n');
            values += e.value().length();
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return "tensors=" + entries.size() + " values=" + values + " sha256=" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static List<Entry> entries(Network network) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> p : network.parameters().entrySet()) {
            INDArray v = p.getValue().value();
            out.add(new Entry(p.getKey(), PARAMETER, v.shape(), v));
        }
        for (Map.Entry<String, INDArray> b : network.buffers().entrySet()) {
            out.add(new Entry(b.getKey(), BUFFER, b.getValue().shape(), b.getValue()));
        }
        return out;
    }

    private static void writeTensor(DataOutputStream out, Entry e) throws IOException {
        out.writeUTF(e.name());
        out.writeByte(e.role());
        INDArray v = e.value();
        boolean dbl = v.dataType() == DataType.DOUBLE;
        if (!dbl && v.dataType() != DataType.FLOAT) {
            throw new WeightsFileException("'" + e.name() + "' has unsupported type " + v.dataType()
                    + " (FLOAT or DOUBLE only)");
        }
        out.writeByte(dbl ? FLOAT64 : FLOAT32);
        out.writeInt(e.shape().length);
        for (long s : e.shape()) {
            out.writeLong(s);
        }
        INDArray flat = v.dup('c').reshape(v.length());
        if (dbl) {
            for (double d : flat.toDoubleVector()) {
                out.writeDouble(d);
            }
        } else {
            for (float f : flat.toFloatVector()) {
                out.writeFloat(f);
            }
        }
    }

    private static Entry readTensor(DataInputStream in, String file, long fileSize) throws IOException {
        String name = in.readUTF();
        int role = in.readByte();
        int dtype = in.readByte();
        if (role != PARAMETER && role != BUFFER) {
            throw new WeightsFileException(file + " is corrupt: tensor '" + name + "' has unknown role " + role);
        }
        if (dtype != FLOAT32 && dtype != FLOAT64) {
            throw new WeightsFileException(file + " is corrupt: tensor '" + name + "' has unknown dtype code "
                    + dtype);
        }
        int rank = in.readInt();
        if (rank < 0 || rank > MAX_RANK) {
            throw new WeightsFileException(file + " is corrupt: tensor '" + name + "' has rank " + rank);
        }
        long[] shape = new long[rank];
        long length = 1;
        int width = dtype == FLOAT64 ? 8 : 4;
        for (int d = 0; d < rank; d++) {
            shape[d] = in.readLong();
            if (shape[d] < 0 || (shape[d] > 0 && length > fileSize / width / shape[d])) {
                throw new WeightsFileException(file + " is corrupt: tensor '" + name + "' has impossible shape entry "
                        + shape[d] + " for a file of " + fileSize + " bytes");
            }
            length *= shape[d];
        }
        int n = Math.toIntExact(length);
        INDArray value;
        if (dtype == FLOAT64) {
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = in.readDouble();
            }
            value = Nd4j.createFromArray(data);
        } else {
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = in.readFloat();
            }
            value = Nd4j.createFromArray(data);
        }
        if (!Tensors.allFinite(value)) {
            throw new WeightsFileException(file + " is corrupt: tensor '" + name + "' contains NaN or infinite "
                    + "values");
        }
        return new Entry(name, role, shape, rank == 0 ? value.reshape() : value.reshape(shape));
    }

    private static WeightsFileException mismatch(String file, String detail) {
        return new WeightsFileException(file + " does not match this network: " + detail);
    }

    private static String describe(Entry e) {
        return (e.role() == PARAMETER ? "parameter '" : "buffer '") + e.name() + "'";
    }
}
