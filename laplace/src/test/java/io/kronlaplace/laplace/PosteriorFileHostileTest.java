package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.io.CorruptFileException;
import io.kronlaplace.nn.Network;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reproductions of issue 20 for posterior files: a failed load leaves the caller's network untouched, counts are
 * checked against the bytes present, and content the posterior rejects is reported as a corrupt file naming it. The
 * byte offsets are found by walking the layout documented on {@link PosteriorFile}, independently of its reader.
 */
class PosteriorFileHostileTest {
    @TempDir
    Path dir;

    private Path saved(HessianStructure structure) throws IOException {
        LaplacePosterior post = Laplace.create(Fixtures.mlp(3, 2), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(structure)
                .flavour(KfacFlavour.EXPAND).build());
        post.fit(Fixtures.batches(Fixtures.inputs(6, 3), Fixtures.classes(6, 3, 5), 3));
        Path file = dir.resolve(structure + ".post");
        PosteriorFile.save(post, file);
        return file;
    }

    /** Offsets of fields in a saved file, found by reading the documented layout. */
    private record Layout(int priorCount, int firstPrior, int firstWeight, int payload) {
        static Layout of(byte[] bytes) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            in.skipNBytes(12);
            for (int i = 0; i < 5; i++) {
                in.readUTF();
            }
            int priorCount = bytes.length - in.available();
            int count = in.readInt();
            int firstPrior = bytes.length - in.available();
            in.skipNBytes(8L * count + 8 + 8 + 8 + 8 + 8);
            int groups = in.readInt();
            long dim = 0;
            for (int g = 0; g < groups; g++) {
                in.readUTF();
                long size = 1;
                for (int r = in.readInt(); r > 0; r--) {
                    size *= in.readLong();
                }
                dim += size;
            }
            int firstWeight = bytes.length - in.available();
            return new Layout(priorCount, firstPrior, firstWeight, (int) (firstWeight + 8 * dim));
        }
    }

    /** Writes {@code bytes} with a recomputed checksum, as a crafted file or a writer bug would. */
    private Path withChecksum(byte[] bytes, String name) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes, bytes.length - 8, 8).putLong(crc.getValue());
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static Map<String, INDArray> snapshot(Network net) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        net.parameters().forEach((name, p) -> out.put(name, p.value().dup()));
        return out;
    }

    /** Issue 20: flipping one bit of the first MAP weight threw "checksum mismatch" AND changed the network. */
    @ParameterizedTest
    @EnumSource(HessianStructure.class)
    void posteriorChecksumFailureLeavesTheNetworkUnchanged(HessianStructure structure) throws IOException {
        byte[] bytes = Files.readAllBytes(saved(structure));
        int weight = Layout.of(bytes).firstWeight();
        for (int bit : new int[] {0, 62}) {
            byte[] corrupt = bytes.clone();
            corrupt[weight + 7 - bit / 8] ^= (byte) (1 << (bit % 8));
            Path file = dir.resolve("flipped-" + bit + ".post");
            Files.write(file, corrupt);
            Network net = Fixtures.mlp(3, 7);
            Map<String, INDArray> before = snapshot(net);
            PosteriorFormatException e = assertThrows(PosteriorFormatException.class,
                    () -> PosteriorFile.load(file, net));
            assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains(file.toString()),
                    e.getMessage());
            assertEquals(before, snapshot(net), "network unchanged after a failed load (bit " + bit + ")");
        }
    }

    /** Issue 20: the 2^31 cap on counts never triggered; a huge count must fail on the bytes present, not on memory. */
    @Test
    void posteriorHugeCountIsCheckedAgainstTheBytesPresent() throws IOException {
        byte[] bytes = Files.readAllBytes(saved(HessianStructure.DIAG));
        ByteBuffer.wrap(bytes).putInt(Layout.of(bytes).priorCount(), Integer.MAX_VALUE);
        Path file = withChecksum(bytes, "huge-count.post");
        PosteriorFormatException e = assertThrows(PosteriorFormatException.class,
                () -> PosteriorFile.load(file, Fixtures.mlp(3, 2)));
        assertTrue(e.getMessage().contains("prior precisions") && e.getMessage().contains("bytes left"),
                e.getMessage());
    }

    /** Issue 20: a negative prior precision escaped as a bare IllegalArgumentException without the file name. */
    @Test
    void posteriorInvalidPriorIsACorruptFileNamingIt() throws IOException {
        byte[] bytes = Files.readAllBytes(saved(HessianStructure.DIAG));
        ByteBuffer.wrap(bytes).putDouble(Layout.of(bytes).firstPrior(), -1.0);
        Path file = withChecksum(bytes, "negative-prior.post");
        Network net = Fixtures.mlp(3, 7);
        Map<String, INDArray> before = snapshot(net);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> PosteriorFile.load(file, net));
        assertTrue(e.getMessage().contains("negative-prior.post"), e.getMessage());
        assertEquals(before, snapshot(net));
    }

    /** Issue 20: a negative diagonal curvature (rejected by the spectral sums) escaped without the file name. */
    @Test
    void posteriorInvalidCurvatureIsACorruptFileNamingIt() throws IOException {
        byte[] bytes = Files.readAllBytes(saved(HessianStructure.DIAG));
        ByteBuffer.wrap(bytes).putDouble(Layout.of(bytes).payload(), -3.0);
        Path file = withChecksum(bytes, "negative-curvature.post");
        Network net = Fixtures.mlp(3, 7);
        Map<String, INDArray> before = snapshot(net);
        PosteriorFormatException e = assertThrows(PosteriorFormatException.class, () -> PosteriorFile.load(file, net));
        assertTrue(e.getMessage().contains("negative-curvature.post") && e.getMessage().contains("diagonal"),
                e.getMessage());
        assertEquals(before, snapshot(net));
    }

    /** A NaN eigenvalue in a Kronecker factor is a corrupt file naming it and the layer. */
    @Test
    void posteriorNonFiniteEigenvalueIsACorruptFileNamingIt() throws IOException {
        byte[] bytes = Files.readAllBytes(saved(HessianStructure.KRON));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        in.skipNBytes(Layout.of(bytes).payload() + 4L);
        in.readUTF();
        long din = in.readLong();
        int firstLa = bytes.length - in.available() + 8 + (int) (8 * din * din);
        ByteBuffer.wrap(bytes).putDouble(firstLa, Double.NaN);
        Path file = withChecksum(bytes, "nan-eigenvalue.post");
        Network net = Fixtures.mlp(3, 7);
        Map<String, INDArray> before = snapshot(net);
        PosteriorFormatException e = assertThrows(PosteriorFormatException.class, () -> PosteriorFile.load(file, net));
        assertTrue(e.getMessage().contains("nan-eigenvalue.post") && e.getMessage().contains("layer"),
                e.getMessage());
        assertEquals(before, snapshot(net));
    }
}
