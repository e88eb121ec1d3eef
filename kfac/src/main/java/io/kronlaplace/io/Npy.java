package io.kronlaplace.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads NumPy {@code .npy} files of format versions 1.0, 2.0 and 3.0 (3.0 differs only in the header's text
 * encoding) and writes version 1.0. Supported: little-endian {@code float32, float64, int32, int64} in C
 * (row-major) order, any rank including 0-d. Fortran order, big-endian data, other types, and corrupt or truncated
 * files raise {@link NpyFormatException} naming the file and the problem.
 *
 * <p>Layout: the 6-byte magic {@code \x93NUMPY}, major and minor version bytes, the header length (little-endian
 * uint16 in 1.0, uint32 in 2.0), the header dictionary padded with spaces and a newline so that the data start at a
 * multiple of 64 bytes, then the raw elements.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    /** ND4J's largest rank. */
    private static final int MAX_RANK = 32;
    /** Data bytes of the largest array read: the limit of one Java array. */
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 16;
    /** NumPy itself writes headers of a few hundred bytes; a larger one is a corrupt length field. */
    private static final long MAX_HEADER_BYTES = 1 << 20;

    private Npy() {
    }

    /**
     * Reads an array from a file.
     *
     * @param path the {@code .npy} file
     * @return a new array with the file's shape and data type (FLOAT, DOUBLE, INT32 or INT64)
     * @throws java.nio.file.NoSuchFileException when {@code path} is not a regular file
     * @throws NpyFormatException                naming the file when it is corrupt, truncated, longer than its
     *                                           header says, or in a layout or type this reader does not support
     * @throws IOException                       when the file cannot be read
     */
    public static INDArray read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such .npy file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            INDArray array = read(in, path.toString(), Files.size(path));
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) {
                throw new NpyFormatException(path + ": " + extra
                        + " unexpected bytes after the data (corrupt header?)");
            }
            return array;
        }
    }

    /**
     * Reads an array from a stream positioned at the magic string; reads exactly the file's bytes.
     *
     * @param in     the stream; left open, positioned just after the array's last element
     * @param source names the stream in error messages
     * @return a new array with the stored shape and data type (FLOAT, DOUBLE, INT32 or INT64)
     * @throws NpyFormatException naming {@code source} when the content is corrupt or truncated, or in a layout or
     *                            type this reader does not support
     * @throws IOException        when the stream cannot be read
     */
    public static INDArray read(InputStream in, String source) throws IOException {
        return read(in, source, Long.MAX_VALUE);
    }

    /**
     * Reads an array of at most {@code available} bytes (magic to last element). Every size is checked with
     * overflow-safe arithmetic against what the file can hold before anything is allocated, so a header that
     * declares more elements than ND4J can index or than the file contains is rejected instead of allocated.
     */
    private static INDArray read(InputStream in, String source, long available) throws IOException {
        byte[] preamble = readFully(in, MAGIC.length + 2, source, "magic string and version", 0);
        if (!Arrays.equals(Arrays.copyOf(preamble, MAGIC.length), MAGIC)) {
            throw new NpyFormatException(source + ": not a .npy file (no \\x93NUMPY magic string at offset 0)");
        }
        int major = preamble[6] & 0xff;
        int minor = preamble[7] & 0xff;
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new NpyFormatException(source + ": unsupported .npy format version " + major + "."
                    + minor + " at offset 6 (supported: 1.0, 2.0, 3.0)");
        };
        ByteBuffer lengthField = ByteBuffer.wrap(readFully(in, lengthBytes, source, "header length", preamble.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes == 2 ? lengthField.getShort() & 0xffff : lengthField.getInt() & 0xffffffffL;
        long headerStart = preamble.length + lengthBytes;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException(source + ": header length " + headerLength + " at offset 8 is not plausible");
        }
        if (headerLength > available - headerStart) {
            throw new NpyFormatException(source + ": truncated file: the header of " + headerLength + " bytes at offset "
                    + headerStart + " runs past the end of the file (" + available + " bytes)");
        }
        byte[] headerBytes = readFully(in, (int) headerLength, source, "header of " + headerLength + " bytes",
                headerStart);
        String headerText = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (!headerText.endsWith("\n")) {
            throw new NpyFormatException(source + ": header is not terminated by a newline (corrupt header length?)");
        }
        NpyHeader header = NpyHeader.parse(headerText, source);
        NpyType type = NpyType.of(header.descr(), source);
        if (header.fortranOrder()) {
            throw new NpyFormatException(source + ": Fortran-ordered (column-major) arrays are not supported; save "
                    + "with numpy.ascontiguousarray first");
        }
        int elements = elementCount(header.shape(), type.size, source);
        long dataStart = headerStart + headerLength;
        long dataBytes = (long) elements * type.size;
        if (dataBytes > available - dataStart) {
            throw new NpyFormatException(source + ": truncated file: shape " + Arrays.toString(header.shape())
                    + " of " + header.descr() + " needs " + dataBytes + " bytes of data from offset " + dataStart
                    + ", the file has " + (available - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(readFully(in, (int) dataBytes, source, "data of " + elements + " "
                + header.descr() + " elements (" + dataBytes + " bytes)", dataStart)).order(ByteOrder.LITTLE_ENDIAN);
        return type.toArray(data, elements, header.shape());
    }

    /**
     * The number of elements of {@code shape}, checked so that ND4J can hold the array: rank at most
     * {@value #MAX_RANK}, and the product of the non-zero dimensions small enough that its elements of
     * {@code elementSize} bytes fit in one Java array. The non-zero product matters for empty arrays:
     * {@code (0, 2^63-1)} has no elements but an ND4J shape whose strides overflow.
     */
    private static int elementCount(long[] shape, int elementSize, String source) throws NpyFormatException {
        long maxElements = MAX_DATA_BYTES / elementSize;
        if (shape.length > MAX_RANK) {
            throw new NpyFormatException(source + ": shape " + Arrays.toString(shape) + " has rank " + shape.length
                    + ", more than the " + MAX_RANK + " ND4J supports");
        }
        long nonZero = 1;
        boolean empty = false;
        for (long d : shape) {
            if (d == 0) {
                empty = true;
            } else if (nonZero > maxElements / d) {
                throw new NpyFormatException(source + ": shape " + Arrays.toString(shape) + " has more than "
                        + maxElements + " elements of " + elementSize + " bytes, the most this reader supports (2 GiB)");
            } else {
                nonZero *= d;
            }
        }
        return empty ? 0 : (int) nonZero;
    }

    /**
     * Writes an array atomically ({@link AtomicFiles}), replacing any existing
     * file. FLOAT, DOUBLE, INT32 and INT64 arrays of any rank; views are written in C order.
     *
     * @param path  the file to replace or create; missing parent directories are created
     * @param array the array to write (not modified)
     * @throws IllegalArgumentException when the array's type is not supported or its data exceed 2 GiB
     * @throws OutputWriteException     (an {@link IOException}) naming {@code path} when the file cannot be written
     */
    public static void write(Path path, INDArray array) throws IOException {
        AtomicFiles.write(path, toBytes(array, path.toString()));
    }

    /**
     * The complete {@code .npy} encoding of an array (format version 1.0), for writers that place it themselves.
     *
     * @param array  a FLOAT, DOUBLE, INT32 or INT64 array of any rank; views are encoded in C order
     * @param target names the destination in error messages
     * @return the magic string, version, header padded to 64 bytes and little-endian data
     * @throws IllegalArgumentException when the array's type is not supported or its data exceed 2 GiB
     */
    public static byte[] toBytes(INDArray array, String target) {
        NpyType type = NpyType.of(array.dataType(), target);
        if (array.length() * type.size > Integer.MAX_VALUE - 1024) {
            throw new IllegalArgumentException(target + ": array of " + array.length() + " " + array.dataType()
                    + " elements exceeds the 2 GiB this writer supports");
        }
        // Version 1.0 always suffices: ND4J's rank limit keeps the header under a kilobyte, far below 64 KiB.
        String dict = new NpyHeader(type.descr, false, array.shape()).format();
        int prefix = MAGIC.length + 2 + 2;
        int padded = (prefix + dict.length() + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        int headerLength = padded - prefix;
        StringBuilder header = new StringBuilder(dict);
        while (header.length() < headerLength - 1) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer out = ByteBuffer.allocate(padded + Math.toIntExact(array.length() * type.size))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0);
        out.putShort((short) headerLength);
        out.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        type.putData(array, out);
        return out.array();
    }

    private static byte[] readFully(InputStream in, int n, String source, String what, long offset)
            throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new NpyFormatException(source + ": truncated file: expected " + n + " bytes of " + what
                    + " at offset " + offset + ", found " + b.length);
        }
        return b;
    }

    /** The element types this class reads and writes. */
    private enum NpyType {
        FLOAT32("<f4", DataType.FLOAT, 4),
        FLOAT64("<f8", DataType.DOUBLE, 8),
        INT32("<i4", DataType.INT32, 4),
        INT64("<i8", DataType.INT64, 8);

        final String descr;
        final DataType dataType;
        final int size;

        NpyType(String descr, DataType dataType, int size) {
            this.descr = descr;
            this.dataType = dataType;
            this.size = size;
        }

        static NpyType of(String descr, String source) throws NpyFormatException {
            // '=' is native order, little-endian on every platform ND4J's native backend runs on.
            String normalised = descr.startsWith("=") ? "<" + descr.substring(1) : descr;
            for (NpyType t : values()) {
                if (t.descr.equals(normalised)) {
                    return t;
                }
            }
            String hint = descr.startsWith(">") ? " (big-endian data are not supported)" : "";
            throw new NpyFormatException(source + ": unsupported dtype '" + descr + "'" + hint
                    + "; supported: <f4, <f8, <i4, <i8");
        }

        static NpyType of(DataType type, String target) {
            for (NpyType t : values()) {
                if (t.dataType == type) {
                    return t;
                }
            }
            throw new IllegalArgumentException(target + ": cannot write " + type
                    + " arrays as .npy; supported: FLOAT, DOUBLE, INT32, INT64");
        }

        INDArray toArray(ByteBuffer data, int n, long[] shape) {
            INDArray flat = switch (this) {
                case FLOAT32 -> {
                    float[] v = new float[n];
                    data.asFloatBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
                case FLOAT64 -> {
                    double[] v = new double[n];
                    data.asDoubleBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
                case INT32 -> {
                    int[] v = new int[n];
                    data.asIntBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
                case INT64 -> {
                    long[] v = new long[n];
                    data.asLongBuffer().get(v);
                    yield Nd4j.createFromArray(v);
                }
            };
            if (n == 0) {
                return Nd4j.create(dataType, shape);
            }
            return flat.reshape('c', shape);
        }

        void putData(INDArray array, ByteBuffer out) {
            if (array.isEmpty()) {
                return;
            }
            INDArray c = array.dup('c');
            switch (this) {
                case FLOAT32 -> out.asFloatBuffer().put(c.data().asFloat(), 0, (int) c.length());
                case FLOAT64 -> out.asDoubleBuffer().put(c.data().asDouble(), 0, (int) c.length());
                case INT32 -> out.asIntBuffer().put(c.data().asInt(), 0, (int) c.length());
                case INT64 -> out.asLongBuffer().put(c.data().asLong(), 0, (int) c.length());
            }
        }
    }
}
