package io.kronlaplace.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A file assembled by hand: little-endian header length, the header text as given, then the data bytes. */
    private static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    private static byte[] littleEndian(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    private static String rejected(byte[] bytes) {
        return assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.fromBytes(bytes, "t.safetensors"))
                .getMessage();
    }

    @Test
    void readsAHandWrittenFileOfEveryDtype() throws Exception {
        String header = "{\"__metadata__\": {\"format\": \"pt\"}, "
                + "\"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]},"
                + "\"b\": {\"dtype\": \"F64\", \"shape\": [], \"data_offsets\": [16, 24]},"
                + "\"h\": {\"dtype\": \"F16\", \"shape\": [4], \"data_offsets\": [24, 32]},"
                + "\"g\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [32, 36]},"
                + "\"n\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [36, 44]},"
                + "\"empty\": {\"dtype\": \"F32\", \"shape\": [0, 3], \"data_offsets\": [44, 44]}}   ";
        byte[] data = littleEndian(44, b -> b.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(7f)
                .putDouble(Math.PI)
                // binary16 1.0, -2.0, 65504 (largest finite), 2^-24 (smallest subnormal)
                .putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 0x0001)
                // bfloat16 1.0, -3.0
                .putShort((short) 0x3F80).putShort((short) 0xC040)
                .putLong(123456789012345L));
        SafetensorsContent content = SafetensorsFile.fromBytes(file(header, data), "hand");
        assertEquals(Map.of("format", "pt"), content.metadata());
        assertEquals(List.of("a", "b", "h", "g", "n", "empty"), List.copyOf(content.tensors().keySet()));
        SafetensorsTensor a = content.tensors().get("a");
        assertArrayEquals(new long[] {2, 2}, a.shape());
        assertEquals(Nd4j.createFromArray(new double[][] {{1.5, -2}, {0.25, 7}}), a.toINDArray(DataType.DOUBLE));
        assertArrayEquals(new long[0], content.tensors().get("b").shape());
        assertEquals(Math.PI, content.tensors().get("b").toINDArray(DataType.DOUBLE).getDouble(), 0.0);
        assertArrayEquals(new double[] {1, -2, 65504, Math.scalb(1.0, -24)}, content.tensors().get("h").toDoubles());
        assertArrayEquals(new double[] {1, -3}, content.tensors().get("g").toDoubles());
        assertArrayEquals(new long[] {123456789012345L}, content.tensors().get("n").toLongs());
        assertEquals(0, content.tensors().get("empty").elementCount());
    }

    @Test
    void writeThenReadKeepsEveryByteAndTheOrder() throws IOException {
        INDArray x = Nd4j.createFromArray(new double[][] {{0.1, -1e-3, 3}, {1e5, -7.25, 0}});
        SafetensorsContent content = SafetensorsContent.of(List.of(
                SafetensorsTensor.of("z.weight", x, SafetensorsDtype.F64),
                SafetensorsTensor.of("a.weight", x, SafetensorsDtype.F32),
                SafetensorsTensor.of("half", x, SafetensorsDtype.F16),
                SafetensorsTensor.of("brain", x, SafetensorsDtype.BF16),
                SafetensorsTensor.ofLongs("bn.num_batches_tracked", new long[0], 42L),
                SafetensorsTensor.of("quote\"d\\name\n", Nd4j.scalar(2.0), SafetensorsDtype.F32)),
                Map.of("format", "pt", "note", "tab\there"));
        Path path = dir.resolve("w.safetensors");
        SafetensorsFile.write(path, content);
        byte[] bytes = Files.readAllBytes(path);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        SafetensorsContent back = SafetensorsFile.read(path);
        assertEquals(content.metadata(), back.metadata());
        assertEquals(List.copyOf(content.tensors().keySet()), List.copyOf(back.tensors().keySet()));
        for (SafetensorsTensor t : content.tensors().values()) {
            SafetensorsTensor r = back.tensors().get(t.name());
            assertEquals(t.dtype(), r.dtype(), t.name());
            assertArrayEquals(t.shape(), r.shape(), t.name());
            assertArrayEquals(t.bytes(), r.bytes(), t.name());
        }
        assertEquals(x, back.tensors().get("z.weight").toINDArray(DataType.DOUBLE));
        assertEquals(x.castTo(DataType.FLOAT), back.tensors().get("a.weight").toINDArray(DataType.FLOAT));
        assertArrayEquals(new long[] {42}, back.tensors().get("bn.num_batches_tracked").toLongs());
        assertArrayEquals(bytes, SafetensorsFile.toBytes(back), "re-writing what was read gives the same file");
    }

    /** Reference binary16 decoding from the definition: (-1)^s * 2^(e-15) * (1 + f/1024), subnormals 2^-14 * f/1024. */
    private static double halfReference(int bits) {
        int sign = bits >>> 15;
        int exponent = (bits >>> 10) & 0x1f;
        int fraction = bits & 0x3ff;
        double magnitude = exponent == 0 ? Math.scalb(fraction / 1024.0, -14)
                : exponent == 31 ? (fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : Math.scalb(1 + fraction / 1024.0, exponent - 15);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyHalfValueDecodesByDefinitionAndEncodesBackToItsBits() {
        for (int bits = 0; bits < 0x10000; bits++) {
            double expected = halfReference(bits);
            float decoded = SafetensorsDtype.halfToFloat((short) bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(decoded), "NaN pattern " + Integer.toHexString(bits));
                assertTrue(Float.isNaN(SafetensorsDtype.halfToFloat(SafetensorsDtype.floatToHalf(decoded))));
                continue;
            }
            assertEquals(expected, decoded, 0.0, Integer.toHexString(bits));
            assertEquals(bits, SafetensorsDtype.floatToHalf(decoded) & 0xffff, Integer.toHexString(bits));
        }
    }

    @Test
    void narrowingRoundsToNearestWithTiesToEven() {
        // binary16 spacing at 1 is 2^-10: 1 + 2^-11 is a tie between 1 (even) and 1 + 2^-10
        assertEquals(0x3C00, SafetensorsDtype.floatToHalf(1 + 0x1p-11f) & 0xffff);
        assertEquals(0x3C02, SafetensorsDtype.floatToHalf(1 + 3 * 0x1p-11f) & 0xffff);
        assertEquals(0x3C01, SafetensorsDtype.floatToHalf(1 + 0x1p-11f + 0x1p-20f) & 0xffff);
        assertEquals(0x7BFF, SafetensorsDtype.floatToHalf(65519f) & 0xffff);
        assertEquals(0x7C00, SafetensorsDtype.floatToHalf(65520f) & 0xffff, "halfway to 2^16 rounds to infinity");
        assertEquals(0x0000, SafetensorsDtype.floatToHalf(0x1p-25f) & 0xffff, "tie below the smallest subnormal");
        assertEquals(0x0001, SafetensorsDtype.floatToHalf(0x1.8p-25f) & 0xffff);
        assertEquals(0x8000, SafetensorsDtype.floatToHalf(-1e-30f) & 0xffff, "sign kept on underflow");
        // bfloat16 spacing at 1 is 2^-7
        assertEquals(0x3F80, SafetensorsDtype.floatToBfloat16(1 + 0x1p-8f) & 0xffff);
        assertEquals(0x3F82, SafetensorsDtype.floatToBfloat16(1 + 3 * 0x1p-8f) & 0xffff);
        assertEquals(0x3F81, SafetensorsDtype.floatToBfloat16(1 + 0x1p-8f + 0x1p-20f) & 0xffff);
    }

    private static final String ONE = "\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}";

    @Test
    void truncatedFilesAreRejected() {
        assertTrue(rejected(new byte[5]).contains("truncated"));
        byte[] whole = file("{" + ONE + "}", new byte[8]);
        String message = rejected(java.util.Arrays.copyOf(whole, whole.length - 3));
        assertTrue(message.contains("'w'") && message.contains("beyond the data section"), message);
    }

    @Test
    void aHeaderLengthBeyondTheFileIsRejected() {
        byte[] bytes = file("{" + ONE + "}", new byte[8]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        assertTrue(rejected(bytes).contains("beyond the end of the file"));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertTrue(rejected(bytes).contains("not plausible"));
    }

    @Test
    void overlappingOffsetsAreRejected() {
        String message = rejected(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", new byte[12]));
        assertTrue(message.contains("'b'") && message.contains("overlaps tensor 'a'"), message);
    }

    @Test
    void offsetsOutsideTheDataAndUncoveredBytesAreRejected() {
        String beyond = rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}",
                new byte[8]));
        assertTrue(beyond.contains("'w'") && beyond.contains("beyond the data section"), beyond);
        String backwards = rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}",
                new byte[8]));
        assertTrue(backwards.contains("'w'") && backwards.contains("end before they begin"), backwards);
        String gap = rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
                new byte[12]));
        assertTrue(gap.contains("[0, 4) belong to no tensor"), gap);
        String trailing = rejected(file("{" + ONE + "}", new byte[12]));
        assertTrue(trailing.contains("4 data bytes after the last tensor"), trailing);
    }

    @Test
    void unknownDtypesAreRejectedByName() {
        String message = rejected(file("{\"mask\": {\"dtype\": \"BOOL\", \"shape\": [8], \"data_offsets\": [0, 8]}}",
                new byte[8]));
        assertTrue(message.contains("'mask'") && message.contains("unsupported dtype 'BOOL'"), message);
    }

    @Test
    void aShapeThatDisagreesWithTheOffsetsIsRejected() {
        String message = rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}",
                new byte[8]));
        assertTrue(message.contains("'w'") && message.contains("needs 12 bytes") && message.contains("span 8"),
                message);
        String huge = rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], "
                + "\"data_offsets\": [0, 8]}}", new byte[8]));
        assertTrue(huge.contains("'w'") && huge.contains("more elements"), huge);
    }

    @Test
    void duplicateNamesAreRejected() {
        String message = rejected(file("{" + ONE + ", " + ONE.replace("[0, 8]", "[8, 16]") + "}", new byte[16]));
        assertTrue(message.contains("duplicate name 'w'"), message);
    }

    @Test
    void malformedHeadersAreRejectedWithTheirPosition() {
        assertTrue(rejected(file("{" + ONE + "} x", new byte[8])).contains("unexpected content after"));
        assertTrue(rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", new byte[8]))
                .contains("'w' lacks \"data_offsets\""));
        assertTrue(rejected(file("{" + ONE.replace("}", ", \"extra\": 1}") + "}", new byte[8]))
                .contains("unknown field \"extra\""));
        assertTrue(rejected(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}",
                new byte[8])).contains("non-negative integers"));
        assertTrue(rejected(file("{\"__metadata__\": {\"k\": 3}}", new byte[0])).contains("not a string"));
        byte[] bad = file("{\"w\u00e9\": {}}", new byte[0]);
        bad[12] = (byte) 0xff;
        assertTrue(rejected(bad).contains("not UTF-8"));
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> SafetensorsFile.read(dir.resolve("absent.safetensors")));
    }
}
