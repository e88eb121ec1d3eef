package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KronFactorFiles;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.nn.TokenPool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --model-kind VIT} saves a ViT that {@code evaluate} and {@code curvature} rebuild from the file. */
class VitCommandsTest {
    @TempDir
    Path dir;

    @Test
    void trainEvaluateAndCurvatureRunOnAVit() throws Exception {
        Path trained = dir.resolve("train");
        MainTest.Run r = MainTest.run("train", "--quiet", "--model-kind", "VIT", "--vit-width", "8", "--vit-depth",
                "1", "--vit-heads", "2", "--vit-patch", "8", "--vit-pooling", "MEAN", "--train-size", "16",
                "--test-size", "8", "--epochs", "1", "-F", "1", "-B", "1", "-K", "2", "--aug-samples", "0",
                "--batch-size", "8", "--mc-samples", "4", "--out", trained.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(trained.resolve("model.klm"));
        assertEquals(ModelKind.VIT, model.architecture().kind());
        assertEquals(TokenPool.Kind.MEAN, model.architecture().vit().pooling());
        assertTrue(model.network().parameters().containsKey("block1.mlp.main.fc1.weight"));
        String modelFile = trained.resolve("model.klm").toString();

        MainTest.Run e = MainTest.run("evaluate", "--quiet", "-m", modelFile, "--train-size", "16", "--test-size",
                "8", "--mc-samples", "4", "--batch-size", "8", "--out", dir.resolve("evaluate").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(Files.size(dir.resolve("evaluate").resolve("report.json")) > 0);

        MainTest.Run c = MainTest.run("curvature", "--quiet", "-m", modelFile, "--train-size", "16", "--batch-size",
                "8", "--out", dir.resolve("curvature").toString());
        assertEquals(ExitCodes.OK, c.code(), c.err());
        for (String flavour : new String[] {"expand", "reduce"}) {
            Path factors = dir.resolve("curvature").resolve(flavour);
            java.util.Set<String> layers = KronFactorFiles.readFactors(factors).keySet();
            for (String layer : new String[] {"patch.proj", "block1.attn.main.attention.query", "head"}) {
                assertTrue(layers.contains(layer), flavour + " " + layer + " in " + layers);
            }
            assertTrue(KronFactorFiles.readLayersWithBias(factors).contains("head"), "the head's bias is stated");
        }
    }
}
