package io.kronlaplace.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WeightsFileTest {
    @TempDir
    Path dir;

    private static Network wrn(long seed, int classes, DataType type) {
        return WideResNet.builder().depth(10).widen(1).classes(classes).seed(seed).dataType(type).build();
    }

    private static Network trained(long seed) {
        Network net = wrn(seed, 4, DataType.DOUBLE);
        // Move the running statistics away from their initial values.
        net.forward(Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8).muli(4), Mode.TRAIN);
        return net;
    }

    @Test
    void roundTripRestoresParametersAndRunningStatistics() throws IOException {
        Network source = trained(1);
        Path file = dir.resolve("sub/model.klw");
        WeightsFile.save(source, file);
        Network target = wrn(2, 4, DataType.DOUBLE);
        assertTrue(source.flatParameters().sub(target.flatParameters()).norm2Number().doubleValue() > 1);
        WeightsFile.load(target, file);
        assertEquals(source.flatParameters(), target.flatParameters());
        Map<String, INDArray> want = source.buffers();
        Map<String, INDArray> got = target.buffers();
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertEquals(want.get(k), got.get(k), k);
        }
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 8, 8);
        assertEquals(source.forward(x, Mode.EVAL), target.forward(x, Mode.EVAL));
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no temporary files left behind");
        }
    }

    @Test
    void loadsIntoAnotherFloatingPointType() throws IOException {
        Network source = trained(3);
        Path file = dir.resolve("m.klw");
        WeightsFile.save(source, file);
        Network target = wrn(4, 4, DataType.FLOAT);
        WeightsFile.load(target, file);
        assertEquals(DataType.FLOAT, target.dataType());
        double error = target.flatParameters().castTo(DataType.DOUBLE).sub(source.flatParameters())
                .norm2Number().doubleValue();
        assertTrue(error < 1e-5, "float32 rounding only, got " + error);
    }

    @Test
    void truncatedFilesFailClearly() throws IOException {
        Path file = dir.resolve("m.klw");
        WeightsFile.save(trained(5), file);
        byte[] bytes = Files.readAllBytes(file);
        for (int keep : new int[] {3, 20, bytes.length / 2, bytes.length - 3}) {
            Path cut = dir.resolve("cut" + keep + ".klw");
            Files.write(cut, Arrays.copyOf(bytes, keep));
            WeightsFileException e = assertThrows(WeightsFileException.class,
                    () -> WeightsFile.load(wrn(5, 4, DataType.DOUBLE), cut));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"),
                    keep + ": " + e.getMessage());
        }
    }

    @Test
    void corruptFilesFailClearlyAndLeaveTheNetworkAlone() throws IOException {
        Path file = dir.resolve("m.klw");
        WeightsFile.save(trained(6), file);
        byte[] bytes = Files.readAllBytes(file);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 100] ^= 0x10;
        Path damaged = dir.resolve("damaged.klw");
        Files.write(damaged, flipped);
        Network net = wrn(7, 4, DataType.DOUBLE);
        INDArray before = net.flatParameters();
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> WeightsFile.load(net, damaged));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertEquals(before, net.flatParameters());

        byte[] notOurs = bytes.clone();
        notOurs[0] = 'X';
        Path other = dir.resolve("other.bin");
        Files.write(other, notOurs);
        e = assertThrows(WeightsFileException.class, () -> WeightsFile.load(net, other));
        assertTrue(e.getMessage().contains("not a weights file"), e.getMessage());

        assertThrows(WeightsFileException.class, () -> WeightsFile.load(net, dir.resolve("missing.klw")));
    }

    @Test
    void mismatchedNetworksNameTheFirstDifference() throws IOException {
        Path file = dir.resolve("m.klw");
        WeightsFile.save(trained(8), file);
        WeightsFileException classes = assertThrows(WeightsFileException.class,
                () -> WeightsFile.load(wrn(8, 7, DataType.DOUBLE), file));
        assertTrue(classes.getMessage().contains("'fc.weight' has shape [4, 64]"), classes.getMessage());
        Network fixup = WideResNet.builder().depth(10).widen(1).classes(4).variant(WideResNet.Variant.FIXUP)
                .dataType(DataType.DOUBLE).build();
        WeightsFileException variant = assertThrows(WeightsFileException.class, () -> WeightsFile.load(fixup, file));
        assertTrue(variant.getMessage().contains("tensor 1"), variant.getMessage());
        Network deeper = WideResNet.builder().depth(16).widen(1).classes(4).dataType(DataType.DOUBLE).build();
        assertThrows(WeightsFileException.class, () -> WeightsFile.load(deeper, file));
    }

    @Test
    void refusesToSaveNonFiniteWeights() {
        Network net = wrn(9, 4, DataType.DOUBLE);
        net.parameters().get("fc.bias").value().putScalar(0, Double.NaN);
        WeightsFileException e = assertThrows(WeightsFileException.class,
                () -> WeightsFile.save(net, dir.resolve("nan.klw")));
        assertTrue(e.getMessage().contains("fc.bias"), e.getMessage());
    }

    /** Issue 20: a name that is not modified UTF-8 escaped as a bare UTFDataFormatException without the file name. */
    @Test
    void weightsInvalidUtfNameIsReportedAsCorruptFile() throws IOException {
        Path file = dir.resolve("bad-utf.klw");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.write(WeightsFile.MAGIC);
        out.writeInt(WeightsFile.VERSION);
        out.writeShort(2);
        out.write(new byte[] {(byte) 0xC0, 0x20});
        out.writeInt(0);
        out.writeLong(0);
        Files.write(file, bytes.toByteArray());
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> WeightsFile.load(wrn(1, 4,
                DataType.FLOAT), file));
        assertTrue(e.getMessage().contains("bad-utf.klw") && e.getMessage().contains("UTF-8"), e.getMessage());
    }
}
