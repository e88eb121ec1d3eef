package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.io.TorchNames;
import io.kronlaplace.io.TorchStateDict;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch weights through the command line: {@code import} writes a model file that {@code evaluate} works on,
 * {@code train --weights} starts from them, and a file of another network fails naming every mismatch.
 */
class ImportedWeightsCommandsTest {
    @TempDir
    Path dir;

    /** A PyTorch-named state_dict of a CNN for the synthetic 32 x 32 RGB images with 10 classes. */
    private Network exportedCnn(Path file) throws Exception {
        Network network = ModelArchitecture.cnn(32, List.of(4), List.of(8), 10, 3).build(42);
        TorchStateDict.save(network, file, TorchNames.sequential());
        return network;
    }

    @Test
    void importThenEvaluateRunsPostHocLaplaceOnTheImportedWeights() throws Exception {
        Path weights = dir.resolve("cnn.safetensors");
        Network source = exportedCnn(weights);
        Path out = dir.resolve("imported");
        MainTest.Run r = MainTest.run("import", "--quiet", "--weights", weights.toString(), "--model-kind", "cnn",
                "--channels", "4", "--hidden", "8", "--train-size", "16", "--test-size", "8", "--prior-precision",
                "2.5", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(out.resolve("model.klm"));
        assertEquals(ModelKind.CNN, model.architecture().kind());
        assertArrayEquals(new double[] {2.5}, model.priorPrecisions());
        Network imported = model.network();
        for (Map.Entry<String, Parameter> p : source.parameters().entrySet()) {
            INDArray got = imported.parameters().get(p.getKey()).value();
            INDArray want = p.getValue().value();
            assertArrayEquals(want.dup('c').reshape(want.length()).toFloatVector(),
                    got.dup('c').reshape(got.length()).toFloatVector(), 0f, p.getKey());
        }

        MainTest.Run e = MainTest.run("evaluate", "--quiet", "-m", out.resolve("model.klm").toString(),
                "--train-size", "16", "--test-size", "8", "--mc-samples", "4", "--batch-size", "8", "--out",
                dir.resolve("evaluate").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(Files.size(dir.resolve("evaluate").resolve("report.json")) > 0);
    }

    @Test
    void trainStartsFromImportedWeightsOfAnMlp() throws Exception {
        Network mlp = ModelArchitecture.mlp(32, List.of(8), 10, 3).build(7);
        Path weights = dir.resolve("mlp.safetensors");
        TorchStateDict.save(mlp, weights, TorchNames.sequential());
        MainTest.Run r = MainTest.run("train", "--quiet", "--model-kind", "MLP", "--hidden", "8", "--weights",
                weights.toString(), "--train-size", "16", "--test-size", "8", "--epochs", "1", "-F", "1", "-B", "1",
                "-K", "2", "--aug-samples", "0", "--batch-size", "8", "--mc-samples", "4", "--out",
                dir.resolve("train").toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(dir.resolve("train").resolve("model.klm"));
        assertEquals(ModelArchitecture.mlp(32, List.of(8), 10, 3), model.architecture());
    }

    @Test
    void weightsOfAnotherNetworkFailNamingEveryMismatch() throws Exception {
        Path weights = dir.resolve("cnn.safetensors");
        exportedCnn(weights);
        MainTest.Run r = MainTest.run("import", "--quiet", "--weights", weights.toString(), "--model-kind", "MLP",
                "--hidden", "8", "--train-size", "16", "--test-size", "8", "--out", dir.resolve("bad").toString());
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        // MLP 3072-8-10 expects 1.* and 3.*; the CNN file holds 0.* (convolution), 4.* and 6.* (dense)
        assertTrue(r.err().contains("does not match the network (10 problems)"), r.err());
        assertTrue(r.err().contains("missing '1.weight' [8, 3072]") && r.err().contains("missing '3.bias' [10]")
                && r.err().contains("extra '0.weight' [4, 3, 3, 3]") && r.err().contains("extra '6.bias' [10]"),
                r.err());

        MainTest.Run vit = MainTest.run("import", "--quiet", "--weights", weights.toString(), "--model-kind", "VIT",
                "--train-size", "16", "--test-size", "8", "--out", dir.resolve("vit").toString());
        assertEquals(ExitCodes.USAGE, vit.code(), vit.err());
        assertTrue(vit.err().contains("not into a ViT"), vit.err());
    }
}
