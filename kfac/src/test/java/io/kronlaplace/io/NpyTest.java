package io.kronlaplace.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpyTest {
    @TempDir
    Path dir;

    private static final long[][] SHAPES = {{}, {5}, {2, 3}, {2, 1, 3}, {2, 3, 1, 2}};

    private static INDArray sample(DataType type, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = type.isFPType() ? (i - 3) * 1.25 + 1e-3 * i : (i - 3) * 1_000_003L;
        }
        if (type == DataType.INT64) {
            v[0] = 1L << 40;
        }
        INDArray flat = Nd4j.createFromArray(v).castTo(type);
        return shape.length == 0 ? flat.reshape(new long[0]) : flat.reshape('c', shape);
    }

    @Test
    void roundTripsEveryTypeAndRankZeroToFour() throws IOException {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.INT32, DataType.INT64}) {
            for (long[] shape : SHAPES) {
                INDArray a = sample(type, shape);
                Path p = dir.resolve(type + "-" + shape.length + ".npy");
                Npy.write(p, a);
                INDArray back = Npy.read(p);
                String what = type + " " + Arrays.toString(shape);
                assertEquals(type, back.dataType(), what);
                assertArrayEquals(shape, back.shape(), what);
                assertEquals(a, back, what);
                assertEquals(0, (Files.size(p) - elementsBytes(back)) % 64, "data start on a 64-byte boundary: "
                        + what);
            }
        }
    }

    private static long elementsBytes(INDArray a) {
        return a.length() * a.dataType().width();
    }

    @Test
    void writesViewsInRowMajorOrder() throws IOException {
        INDArray m = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}});
        Path p = dir.resolve("t.npy");
        Npy.write(p, m.transpose());
        INDArray back = Npy.read(p);
        assertArrayEquals(new long[] {3, 2}, back.shape());
        assertEquals(2.0, back.getDouble(1, 0));
        assertEquals(4.0, back.getDouble(0, 1));
    }

    @Test
    void roundTripsEmptyArrays() throws IOException {
        Path p = dir.resolve("empty.npy");
        Npy.write(p, Nd4j.create(DataType.FLOAT, 0, 3));
        INDArray back = Npy.read(p);
        assertArrayEquals(new long[] {0, 3}, back.shape());
        assertEquals(DataType.FLOAT, back.dataType());
    }

    /** A file assembled by hand from the format specification, as numpy.save writes it. */
    private static byte[] handWritten(int major, String dict, ByteBuffer data) {
        int prefix = 6 + 2 + (major == 1 ? 2 : 4);
        int total = prefix + dict.length() + 1;
        int padding = (64 - total % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(major);
        out.write(0);
        int len = header.length();
        out.write(len & 0xff);
        out.write((len >> 8) & 0xff);
        if (major != 1) {
            out.write((len >> 16) & 0xff);
            out.write((len >> 24) & 0xff);
        }
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Arrays.copyOf(data.array(), data.position()));
        return out.toByteArray();
    }

    @Test
    void readsAHandWrittenVersionOneFile() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            data.putDouble(i * 0.5);
        }
        Path p = dir.resolve("hand.npy");
        Files.write(p, handWritten(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data));
        assertEquals(0, (Files.size(p) - 48) % 64);
        INDArray a = Npy.read(p);
        assertEquals(DataType.DOUBLE, a.dataType());
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals(0.5 * 5, a.getDouble(1, 2));
        assertEquals(0.5 * 3, a.getDouble(1, 0));
    }

    @Test
    void readsAHandWrittenVersionTwoInt32FileWithDoubleQuotesAndNoTrailingComma() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(-7).putInt(0).putInt(123456789);
        Path p = dir.resolve("hand2.npy");
        Files.write(p, handWritten(2, "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (3,)}", data));
        INDArray a = Npy.read(p);
        assertEquals(DataType.INT32, a.dataType());
        assertArrayEquals(new long[] {3}, a.shape());
        assertEquals(-7, a.getInt(0));
        assertEquals(123456789, a.getInt(2));
    }

    @Test
    void writtenBytesFollowTheSpecification() throws IOException {
        Path p = dir.resolve("w.npy");
        Npy.write(p, Nd4j.createFromArray(new float[][] {{1f, 2f}}));
        byte[] b = Files.readAllBytes(p);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b[6]);
        assertEquals(0, b[7]);
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"), header);
        assertTrue(header.endsWith("\n"));
        ByteBuffer data = ByteBuffer.wrap(b, 10 + headerLength, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, data.getFloat());
        assertEquals(2f, data.getFloat());
        assertEquals(10 + headerLength + 8, b.length);
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("a.npy");
        Npy.write(p, Nd4j.createFromArray(1.0, 2.0));
        Npy.write(p, Nd4j.createFromArray(3.0));
        assertEquals(Nd4j.createFromArray(3.0), Npy.read(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the target file remains");
        }
    }

    private NpyFormatException readFails(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad.npy");
        Files.write(p, bytes);
        return assertThrows(NpyFormatException.class, () -> Npy.read(p));
    }

    private static ByteBuffer doubles(int n) {
        ByteBuffer data = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putDouble(i);
        }
        return data;
    }

    @Test
    void rejectsFortranOrderAndUnsupportedTypes() throws IOException {
        NpyFormatException fortran = readFails(handWritten(1,
                "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", doubles(4)));
        assertTrue(fortran.getMessage().contains("Fortran"), fortran.getMessage());
        NpyFormatException bigEndian = readFails(handWritten(1,
                "{'descr': '>f8', 'fortran_order': False, 'shape': (4,), }", doubles(4)));
        assertTrue(bigEndian.getMessage().contains("'>f8'") && bigEndian.getMessage().contains("big-endian"),
                bigEndian.getMessage());
        NpyFormatException complex = readFails(handWritten(1,
                "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", doubles(4)));
        assertTrue(complex.getMessage().contains("'<c16'"), complex.getMessage());
        IllegalArgumentException write = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(dir.resolve("h.npy"), Nd4j.zeros(DataType.FLOAT16, 2)));
        assertTrue(write.getMessage().contains("cannot write"), write.getMessage());
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] good = handWritten(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", doubles(4));
        NpyFormatException data = readFails(Arrays.copyOf(good, good.length - 3));
        assertTrue(data.getMessage().contains("truncated") && data.getMessage().contains("32 bytes"),
                data.getMessage());
        NpyFormatException header = readFails(Arrays.copyOf(good, 30));
        assertTrue(header.getMessage().contains("truncated") && header.getMessage().contains("header"),
                header.getMessage());
        assertTrue(readFails(Arrays.copyOf(good, 7)).getMessage().contains("truncated"));
        assertTrue(readFails(new byte[0]).getMessage().contains("truncated"));
    }

    @Test
    void rejectsCorruptHeaders() throws IOException {
        byte[] good = handWritten(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", doubles(4));
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertTrue(readFails(magic).getMessage().contains("magic"));
        byte[] version = good.clone();
        version[6] = 9;
        assertTrue(readFails(version).getMessage().contains("version 9.0"));
        byte[] length = good.clone();
        length[8] = (byte) (length[8] - 8);
        assertTrue(readFails(length).getMessage().contains("newline"), "shortened header length");
        for (String dict : new String[] {
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), ",
            "{'descr': '<f8', 'fortran_order': False}",
            "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (4,), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4, -1), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'extra': 1}",
            "['descr', '<f8']"}) {
            NpyFormatException e = readFails(handWritten(1, dict, doubles(4)));
            assertTrue(e.getMessage().contains("header"), dict + " -> " + e.getMessage());
        }
        NpyFormatException trailing = readFails(handWritten(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", doubles(4)));
        assertTrue(trailing.getMessage().contains("8 unexpected bytes"), trailing.getMessage());
    }

    /** Issue 20: a 74-byte file whose shape overflows the element count was accepted and crashed the JVM. */
    @Test
    void npyShapeOverflowIsRejectedBeforeAllocating() throws IOException {
        String rank34 = "(" + "2, ".repeat(33) + "2)";
        for (String shape : new String[] {"(2305843009213693952, 2)", "(4611686018427387904,)",
            "(9223372036854775807,)", rank34, "(2, 2, 0, 9223372036854775807)", "(536870912, 2)"}) {
            NpyFormatException e = readFails(handWritten(1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                    + shape + ", }", ByteBuffer.allocate(0)));
            assertTrue(e.getMessage().contains("bad.npy") && e.getMessage().contains("shape"),
                    shape + " -> " + e.getMessage());
            assertTrue(e instanceof CorruptFileException);
        }
    }

    /** Issue 20: a shape that fits ND4J but needs more data than the file holds is reported as truncation. */
    @Test
    void npyShapeLargerThanTheFileIsRejectedBeforeAllocating() throws IOException {
        NpyFormatException e = readFails(handWritten(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", doubles(4)));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("800000000 bytes"),
                e.getMessage());
    }

    @Test
    void missingFileIsReportedByName() {
        Path p = dir.resolve("nope.npy");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains("nope.npy"));
        assertFalse(Files.exists(p));
    }
}
