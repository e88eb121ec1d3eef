package io.kronlaplace.hyperopt.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointFileTest {
    @TempDir
    Path dir;

    private static CheckpointData sample(int epoch) {
        ObjectNode meta = new ObjectMapper().createObjectNode();
        meta.put("epoch", epoch);
        meta.put("notComputed", Double.NaN);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("model/w", Nd4j.createFromArray(new float[][] {{1.5f, -2f, Float.MIN_VALUE}, {3f, 4f, 1e-30f}}));
        tensors.put("hyper/logDelta", Nd4j.createFromArray(0.1, Math.PI, -7.25e-300));
        tensors.put("rng", Nd4j.createFromArray(new long[] {Long.MIN_VALUE, 42L}));
        tensors.put("view", Nd4j.linspace(1, 12, 12).reshape(3, 4).transpose());
        return new CheckpointData("test", meta, tensors);
    }

    @Test
    void roundTripIsBitExact() throws Exception {
        Path file = dir.resolve("ckpt.bin");
        CheckpointData original = sample(3);
        CheckpointFile.write(file, original);
        CheckpointData back = CheckpointFile.read(file);
        assertEquals("test", back.kind());
        assertEquals(3, back.metadata().get("epoch").asInt());
        assertTrue(Double.isNaN(back.metadata().get("notComputed").asDouble()));
        assertEquals(original.tensors().keySet(), back.tensors().keySet());
        for (String name : original.tensors().keySet()) {
            INDArray a = original.tensor(name);
            INDArray b = back.tensor(name);
            assertArrayEquals(a.shape(), b.shape(), name);
            assertEquals(a.dataType(), b.dataType(), name);
            assertEquals(a, b, name);
        }
        assertArrayEquals(new double[] {0.1, Math.PI, -7.25e-300}, back.tensor("hyper/logDelta").toDoubleVector());
    }

    @Test
    void partialTemporaryFileLeftByACrashDoesNotAffectLoading() throws Exception {
        Path file = dir.resolve("ckpt.bin");
        CheckpointFile.write(file, sample(1));
        byte[] newer = Files.readAllBytes(file);
        // what a crash during the next write leaves behind: a truncated temporary file next to the checkpoint
        Files.write(dir.resolve("ckpt.bin.123" + CheckpointFile.temporarySuffix()),
                java.util.Arrays.copyOf(newer, newer.length / 2));
        CheckpointData back = CheckpointFile.read(file);
        assertEquals(1, back.metadata().get("epoch").asInt());
        CheckpointFile.write(file, sample(2));
        assertEquals(2, CheckpointFile.read(file).metadata().get("epoch").asInt());
    }

    @Test
    void truncatedFileIsReportedAsCorrupt() throws Exception {
        Path file = dir.resolve("ckpt.bin");
        CheckpointFile.write(file, sample(1));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 20));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.read(file));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void flippedByteIsReportedAsCorrupt() throws Exception {
        Path file = dir.resolve("ckpt.bin");
        CheckpointFile.write(file, sample(1));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
        assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.read(file));
    }

    @Test
    void foreignFileIsRejectedWithAClearMessage() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "these are not the weights you are looking for");
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.read(file));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    }

    @Test
    void missingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> CheckpointFile.read(dir.resolve("absent.bin")));
    }
}
