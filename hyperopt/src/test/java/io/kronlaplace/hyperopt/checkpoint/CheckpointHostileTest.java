package io.kronlaplace.hyperopt.checkpoint;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.hyperopt.NetworkState;
import io.kronlaplace.nn.models.WideResNet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reproductions of issue 20 for checkpoints and saved models: files whose checksum is valid (crafted, or written by a
 * buggy writer) but whose content is not, each rejected as a {@link CorruptCheckpointException} naming the file.
 * Raw files are encoded here from the layout documented on {@link CheckpointFile}.
 */
class CheckpointHostileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One tensor header as the format stores it, with an arbitrary shape and data length. */
    private record RawTensor(String name, int type, long[] shape, int dataBytes) {
    }

    private Path raw(String fileName, String meta, RawTensor... tensors) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put("KLCKPT01".getBytes(StandardCharsets.US_ASCII));
        byte[] kind = "test".getBytes(StandardCharsets.UTF_8);
        b.putInt(kind.length).put(kind);
        byte[] m = meta.getBytes(StandardCharsets.UTF_8);
        b.putInt(m.length).put(m);
        b.putInt(tensors.length);
        for (RawTensor t : tensors) {
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            b.putInt(name.length).put(name).put((byte) t.type()).putInt(t.shape().length);
            for (long s : t.shape()) {
                b.putLong(s);
            }
            b.put(new byte[t.dataBytes()]);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putLong(crc.getValue());
        out.write(b.array(), 0, b.position());
        Path file = dir.resolve(fileName);
        Files.write(file, out.toByteArray());
        return file;
    }

    private void rejected(Path file, String expected) {
        CorruptCheckpointException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(CorruptCheckpointException.class, () -> CheckpointFile.read(file)));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(expected),
                expected + " -> " + e.getMessage());
    }

    /** Issue 20: (int) length and length * elementSize overflowed; a shape [2^62, 4] was accepted with no data. */
    @Test
    void checkpointShapeOverflowIsRejected() throws IOException {
        rejected(raw("huge.ck", "{}", new RawTensor("w", 1, new long[] {1L << 62, 4}, 0)), "overflow");
        rejected(raw("int-overflow.ck", "{}", new RawTensor("w", 2, new long[] {1L << 31, 2}, 16)), "bytes left");
        rejected(raw("empty-huge.ck", "{}", new RawTensor("w", 1, new long[] {0, Long.MAX_VALUE}, 0)), "bytes left");
        rejected(raw("short.ck", "{}", new RawTensor("w", 2, new long[] {3}, 16)), "bytes left");
    }

    /** Issue 20: two tensors with one name collapsed silently into one. */
    @Test
    void checkpointDuplicateTensorNamesAreRejected() throws IOException {
        rejected(raw("dup.ck", "{}", new RawTensor("w", 2, new long[] {1}, 8), new RawTensor("w", 2,
                new long[] {1}, 8)), "stored twice");
    }

    /** Issue 20: non-JSON metadata surfaced as a raw Jackson exception; empty metadata was accepted. */
    @Test
    void checkpointMetadataMustBeAJsonObject() throws IOException {
        rejected(raw("not-json.ck", "{epoch: ]"), "JSON");
        rejected(raw("trailing.ck", "{} {}"), "JSON");
        rejected(raw("empty.ck", ""), "JSON object");
        rejected(raw("array.ck", "[1, 2]"), "JSON object");
        // found by the fuzzer: four bytes that Jackson took for UTF-32 gave a bare CharConversionException
        rejected(raw("utf32.ck", "\u0000\u0000\u0000{\"a\": 1}"), "JSON");
    }

    private static final ModelArchitecture ARCH = new ModelArchitecture(10, 1, 10, 3, WideResNet.Variant.FIXUP);

    /** A valid saved model, changed by {@code edit} (metadata and state), written with a valid checksum. */
    private Path model(String fileName, Consumer<ObjectNode> editMeta, Consumer<Map<String, INDArray>> editState)
            throws IOException {
        Path good = dir.resolve("good-" + fileName);
        new SavedModel(ARCH, new double[] {0.5, 0.4, 0.3}, new double[] {0.2, 0.25, 0.3}, new double[] {1.5, 2.0},
                new double[6], NetworkState.capture(ARCH.build(1))).write(good);
        CheckpointData data = CheckpointFile.read(good);
        ObjectNode meta = data.metadata().deepCopy();
        editMeta.accept(meta);
        Map<String, INDArray> state = new LinkedHashMap<>(data.tensors());
        editState.accept(state);
        Path file = dir.resolve(fileName);
        CheckpointFile.write(file, new CheckpointData(SavedModel.KIND, meta, state));
        return file;
    }

    private void modelRejected(Path file, String expected) {
        CorruptCheckpointException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(CorruptCheckpointException.class, () -> SavedModel.read(file)));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(expected),
                expected + " -> " + e.getMessage());
    }

    /** Issue 20: a saved model with a valid checksum but inconsistent metadata was read without complaint. */
    @Test
    void savedModelInconsistentMetadataIsRejectedAtReadTime() throws IOException {
        Consumer<Map<String, INDArray>> same = s -> { };
        SavedModel.read(model("valid.klm", m -> { }, same));
        modelRejected(model("classes.klm", m -> ((ObjectNode) m.get("architecture")).put("classes", 7), same),
                "shape");
        modelRejected(model("depth.klm", m -> ((ObjectNode) m.get("architecture")).put("depth", 11), same),
                "depth 11");
        modelRejected(model("widen.klm", m -> ((ObjectNode) m.get("architecture")).put("widen", 2), same),
                "needs at least");
        modelRejected(model("missing.klm", m -> { }, s -> s.remove(s.keySet().iterator().next())), "missing");
        modelRejected(model("flattened.klm", m -> { }, s -> {
            String first = s.keySet().iterator().next();
            s.put(first, s.get(first).dup().reshape(-1));
        }), "shape");
        modelRejected(model("extra.klm", m -> { }, s -> s.put("param/ghost", Nd4j.zeros(2))), "ghost");
        modelRejected(model("nan.klm", m -> { }, s -> {
            String first = s.keySet().iterator().next();
            INDArray t = s.get(first).dup();
            t.putScalar(0, Float.NaN);
            s.put(first, t);
        }), "NaN");
        modelRejected(model("std0.klm", m -> m.set("normalizationStd", JSON.valueToTree(new double[] {0.2, 0, 0.3})),
                same), "standard deviation");
        modelRejected(model("stdnan.klm", m -> m.set("normalizationStd",
                JSON.valueToTree(new double[] {0.2, Double.NaN, 0.3})), same), "standard deviation");
        modelRejected(model("prior.klm", m -> m.set("priorPrecisions", JSON.valueToTree(new double[] {1, -2})), same),
                "prior precision");
        modelRejected(model("channels.klm", m -> m.set("normalizationMean", JSON.valueToTree(new double[] {0.5})),
                same), "normalisation");
        modelRejected(model("nofield.klm", m -> m.remove("eta"), same), "'eta'");
    }

    /** Issue 20: widen 100000 ran out of memory after 38 s; it is rejected from the values the file holds. */
    @Test
    void savedModelHugeWidenIsRejectedBeforeBuilding() throws IOException {
        modelRejected(model("widen-huge.klm", m -> ((ObjectNode) m.get("architecture")).put("widen", 100000),
                s -> { }), "needs at least");
        modelRejected(model("depth-huge.klm", m -> ((ObjectNode) m.get("architecture")).put("depth",
                6 * 300_000_000 + 4), s -> { }), "needs at least");
    }
}
