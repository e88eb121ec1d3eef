package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.io.CorruptFileException;
import io.kronlaplace.io.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Save/load round trips of factors and decompositions as .npy files, and clear errors on damaged directories. */
class KronFactorFilesTest {

    private static INDArray spd(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, n);
        return x.mmul(x.transpose());
    }

    private static Map<String, KronFactors> factors() {
        Map<String, KronFactors> f = new LinkedHashMap<>();
        f.put("group1.0.conv1", new KronFactors("group1.0.conv1", spd(4, 1), spd(3, 2), KfacFlavour.REDUCE));
        f.put("fc", new KronFactors("fc", spd(2, 3), spd(5, 4), KfacFlavour.REDUCE));
        return f;
    }

    @Test
    void factorsRoundTrip(@TempDir Path dir) throws IOException {
        Map<String, KronFactors> saved = factors();
        KronFactorFiles.writeFactors(dir, saved);
        Map<String, KronFactors> loaded = KronFactorFiles.readFactors(dir);
        assertEquals(List.copyOf(saved.keySet()), List.copyOf(loaded.keySet()));
        for (String k : saved.keySet()) {
            assertEquals(saved.get(k).a(), loaded.get(k).a());
            assertEquals(saved.get(k).b(), loaded.get(k).b());
            assertEquals(KfacFlavour.REDUCE, loaded.get(k).flavour());
        }
        assertEquals(saved.get("fc").b(), Npy.read(dir.resolve("layer1.B.npy")), "plain .npy files, one per factor");
        assertTrue(Files.readString(dir.resolve(KronFactorFiles.INDEX)).contains("1\tfc\tREDUCE\t2\t5\t-\n"));
        assertEquals(Set.of(), KronFactorFiles.readLayersWithBias(dir));
    }

    @Test
    void biasBlocksAreStatedInTheIndexAndReadBack(@TempDir Path dir) throws IOException {
        Map<String, KronFactors> saved = factors();
        String withBias = saved.keySet().iterator().next();
        KronFactorFiles.writeFactors(dir, saved, Set.of(withBias));
        assertEquals(Set.of(withBias), KronFactorFiles.readLayersWithBias(dir));
        String index = Files.readString(dir.resolve(KronFactorFiles.INDEX));
        assertTrue(index.contains("0\t" + withBias + "\tREDUCE\t"), index);
        assertTrue(index.lines().anyMatch(l -> l.startsWith("0\t") && l.endsWith("\tB")), index);
        assertTrue(index.lines().anyMatch(l -> l.startsWith("1\t") && l.endsWith("\t-")), index);
        assertEquals(saved.get(withBias).a(), KronFactorFiles.readFactors(dir).get(withBias).a());
        String noColumn = index.substring(0, index.indexOf("# end")).replace("\tB\n", "\n");
        Files.writeString(dir.resolve(KronFactorFiles.INDEX), withEndLine(noColumn, 2));
        IOException missing = assertThrows(IOException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(missing.getMessage().contains("6 tab-separated fields"), missing.getMessage());
    }

    @Test
    void decompositionsRoundTrip(@TempDir Path dir) throws IOException {
        Map<String, KronDecomposition> saved = new LinkedHashMap<>();
        factors().forEach((k, f) -> saved.put(k, KronDecomposition.of(f)));
        KronFactorFiles.writeDecompositions(dir, saved);
        Map<String, KronDecomposition> loaded = KronFactorFiles.readDecompositions(dir);
        for (String k : saved.keySet()) {
            assertEquals(saved.get(k).qa(), loaded.get(k).qa());
            assertEquals(saved.get(k).la(), loaded.get(k).la());
            assertEquals(saved.get(k).qb(), loaded.get(k).qb());
            assertEquals(saved.get(k).lb(), loaded.get(k).lb());
            assertEquals(k, loaded.get(k).layerPath());
        }
        IOException kind = assertThrows(IOException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(kind.getMessage().contains("decompositions"), kind.getMessage());
    }

    @Test
    void damagedDirectoriesGiveClearErrors(@TempDir Path dir) throws IOException {
        assertThrows(NoSuchFileException.class, () -> KronFactorFiles.readFactors(dir));
        KronFactorFiles.writeFactors(dir, factors());
        Npy.write(dir.resolve("layer0.A.npy"), spd(3, 9));
        IOException shape = assertThrows(IOException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(shape.getMessage().contains("group1.0.conv1") && shape.getMessage().contains("[3, 3]"),
                shape.getMessage());
        INDArray nan = spd(4, 1);
        nan.putScalar(0, 0, Double.NaN);
        Npy.write(dir.resolve("layer0.A.npy"), nan);
        IOException nanError = assertThrows(IOException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(nanError.getMessage().contains("NaN"), nanError.getMessage());
        Files.delete(dir.resolve("layer1.B.npy"));
        Npy.write(dir.resolve("layer0.A.npy"), spd(4, 1));
        assertThrows(NoSuchFileException.class, () -> KronFactorFiles.readFactors(dir));
        Files.writeString(dir.resolve(KronFactorFiles.INDEX),
                withEndLine("# kronlaplace kfac v3 factors\n0\tfc\tSIDEWAYS\t2\t5\t-\n", 1));
        IOException corrupt = assertThrows(IOException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(corrupt.getMessage().contains("line 2"), corrupt.getMessage());
        Files.writeString(dir.resolve(KronFactorFiles.INDEX), "hello\n");
        assertThrows(IOException.class, () -> KronFactorFiles.readFactors(dir));
    }

    /** An index body followed by the end line the format specifies (count and CRC-32 of the body's bytes). */
    private static String withEndLine(String body, int layers) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return body + "# end " + layers + " crc32 " + String.format("%08x", crc.getValue()) + "\n";
    }

    private static String index(Path dir) throws IOException {
        return Files.readString(dir.resolve(KronFactorFiles.INDEX));
    }

    /** Issue 20: a duplicated index line replaced a layer silently. */
    @Test
    void kfacIndexDuplicateLineIsRejected(@TempDir Path dir) throws IOException {
        KronFactorFiles.writeFactors(dir, factors());
        String text = index(dir);
        String body = text.substring(0, text.indexOf("# end "));
        String first = body.lines().filter(l -> l.startsWith("0\t")).findFirst().orElseThrow();
        Files.writeString(dir.resolve(KronFactorFiles.INDEX), withEndLine(body + first + "\n", 3));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(e.getMessage().contains("line 5"), e.getMessage());
    }

    /** Issue 20: an index cut right after its header read as an empty directory. */
    @Test
    void kfacIndexCutAfterHeaderIsRejected(@TempDir Path dir) throws IOException {
        KronFactorFiles.writeFactors(dir, factors());
        String text = index(dir);
        Files.writeString(dir.resolve(KronFactorFiles.INDEX), text.substring(0, text.indexOf('\n') + 1));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    /** Issue 20: a changed flavour or layer path was accepted (the index had no checksum). */
    @Test
    void kfacIndexChangedFlavourOrPathIsRejected(@TempDir Path dir) throws IOException {
        KronFactorFiles.writeFactors(dir, factors());
        String text = index(dir);
        for (String changed : new String[] {text.replace("REDUCE", "EXPAND"), text.replace("\tfc\t", "\tfd\t")}) {
            assertTrue(!changed.equals(text));
            Files.writeString(dir.resolve(KronFactorFiles.INDEX), changed);
            CorruptFileException e = assertThrows(CorruptFileException.class,
                    () -> KronFactorFiles.readFactors(dir));
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        }
    }

    /** Issue 20: a byte that is not UTF-8 in the index is a corrupt-file error with its offset. */
    @Test
    void kfacIndexInvalidUtf8IsRejectedWithOffset(@TempDir Path dir) throws IOException {
        KronFactorFiles.writeFactors(dir, factors());
        byte[] bytes = Files.readAllBytes(dir.resolve(KronFactorFiles.INDEX));
        bytes[3] = (byte) 0xFF;
        Files.write(dir.resolve(KronFactorFiles.INDEX), bytes);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> KronFactorFiles.readFactors(dir));
        assertTrue(e.getMessage().contains("byte offset 3"), e.getMessage());
    }
}
