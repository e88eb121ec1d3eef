package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvRegressionReaderTest {
    @Test
    void namedTargetWithHeader(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "x1, y ,x2\n1,10,2\n\n3, 30 ,4.5\n-1e-3,5,0\n");
        RegressionDataset d = CsvRegressionReader.builder().targetColumn("y").build().read(f);
        assertEquals(3, d.size());
        assertEquals(2, d.featureCount());
        assertArrayEquals(new double[][] {{1, 2}, {3, 4.5}, {-1e-3, 0}}, d.features().toDoubleMatrix());
        assertArrayEquals(new double[] {10, 30, 5}, d.targets().toDoubleVector(), 0);
        assertEquals("t.csv", d.name());
    }

    @Test
    void indexedTargetWithoutHeaderAndOtherDelimiter(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.tsv");
        Files.writeString(f, "1;2;3\n4;5;6\n");
        RegressionDataset d = CsvRegressionReader.builder().header(false).delimiter(';').targetColumn(0).build()
                .read(f);
        assertArrayEquals(new double[] {1, 4}, d.targets().toDoubleVector(), 0);
        assertArrayEquals(new double[][] {{2, 3}, {5, 6}}, d.features().toDoubleMatrix());
        RegressionDataset last = CsvRegressionReader.builder().header(false).delimiter(';').build().read(f);
        assertArrayEquals(new double[] {3, 6}, last.targets().toDoubleVector(), 0);
    }

    @Test
    void nonNumericCellNamesLineAndColumn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "a,b,target\n1,2,3\n4,five,6\n");
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> CsvRegressionReader.builder().build().read(f));
        assertTrue(e.getMessage().startsWith("bad.csv: line 3, column 2 ('b'): cannot parse 'five' as a number"),
                e.getMessage());
    }

    @Test
    void structuralErrors(@TempDir Path dir) throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a,b\n1,2\n3\n");
        assertTrue(assertThrows(CorruptDataException.class, () -> CsvRegressionReader.builder().build()
                .read(ragged)).getMessage().contains("line 3 has 1 columns, expected 2"));
        Path header = dir.resolve("h.csv");
        Files.writeString(header, "a,b\n1,2\n");
        assertTrue(assertThrows(CorruptDataException.class, () -> CsvRegressionReader.builder().targetColumn("z")
                .build().read(header)).getMessage().contains("target column 'z' not in header [a, b]"));
        Path empty = dir.resolve("e.csv");
        Files.writeString(empty, "a,b\n");
        assertTrue(assertThrows(CorruptDataException.class, () -> CsvRegressionReader.builder().build()
                .read(empty)).getMessage().contains("no data rows"));
        Path nan = dir.resolve("n.csv");
        Files.writeString(nan, "a,b\n1,NaN\n");
        assertTrue(assertThrows(CorruptDataException.class, () -> CsvRegressionReader.builder().build()
                .read(nan)).getMessage().contains("line 2, column 2 ('b'): value 'NaN' is not finite"));
        assertThrows(IllegalArgumentException.class,
                () -> CsvRegressionReader.builder().header(false).targetColumn("y").build());
    }

    private static CorruptDataException csvFails(Path dir, byte[] bytes) throws IOException {
        Path file = dir.resolve("hostile.csv");
        Files.write(file, bytes);
        return assertThrows(CorruptDataException.class, () -> CsvRegressionReader.builder().build().read(file));
    }

    /** Issue 20: a non-UTF-8 byte escaped as MalformedInputException; the Javadoc promises line and column. */
    @Test
    void csvInvalidUtf8NamesLineAndColumn(@TempDir Path dir) throws IOException {
        byte[] bytes = "x,y\n1,2\n3,\u00004\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bytes[bytes.length - 3] = (byte) 0xC3;
        CorruptDataException e = csvFails(dir, bytes);
        assertTrue(e.getMessage().contains("line 3, column 3") && e.getMessage().contains("UTF-8")
                && e.getMessage().contains("hostile.csv"), e.getMessage());
    }

    /** Issue 20: Java-only number syntax was accepted and 1e-400 silently became 0. */
    @Test
    void csvRejectsJavaOnlyNumbersAndUnderflow(@TempDir Path dir) throws IOException {
        for (String cell : new String[] {"1d", "0x1p3", "1f", "NaN", "Infinity", "1e-400", "1_0", " ", "+"}) {
            CorruptDataException e = csvFails(dir, ("x,y\n1," + cell + "\n").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(e.getMessage().contains("line 2, column 2"), cell + " -> " + e.getMessage());
        }
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "x,y\n-1.5e3,.25\n+2.,0e-400\n4E+2,4.9e-324\n");
        RegressionDataset data = CsvRegressionReader.builder().build().read(ok);
        assertArrayEquals(new double[] {-1500, 2, 400}, data.features().toDoubleVector());
        assertArrayEquals(new double[] {0.25, 0, Double.MIN_VALUE}, data.targets().toDoubleVector());
    }

    /** Issue 20: a UTF-8 byte-order mark stayed in the first header name, so the target was not found by name. */
    @Test
    void csvByteOrderMarkIsSkipped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bom.csv");
        Files.writeString(file, "\uFEFFprice,size\n3,4\n");
        RegressionDataset data = CsvRegressionReader.builder().targetColumn("price").build().read(file);
        assertArrayEquals(new double[] {3}, data.targets().toDoubleVector());
        assertArrayEquals(new double[] {4}, data.features().toDoubleVector());
    }
}
