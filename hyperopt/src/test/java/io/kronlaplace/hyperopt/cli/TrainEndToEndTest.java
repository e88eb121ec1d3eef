package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.hyperopt.checkpoint.CheckpointData;
import io.kronlaplace.hyperopt.checkpoint.CheckpointFile;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code kronlaplace train} on a tiny setting writes a report that parses and a loadable model. */
class TrainEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void tinyTrainingRunWritesReportAndModel() throws Exception {
        MainTest.Run r = MainTest.run("train", "--quiet", "--train-size", "16", "--test-size", "8", "--epochs", "1",
                "-F", "1", "-B", "1", "-K", "2", "--aug-hypersteps", "1", "--aug-batch-size", "4", "--batch-size",
                "16", "--mc-samples", "4", "--out", dir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().isEmpty(), "quiet run printed: " + r.err());
        for (String f : new String[] {"report.json", "report.md", "report.html", "model.klm", "checkpoint.klck"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        String text = json.toString();
        for (String method : new String[] {"MAP", "Laplace (GLM probit)", "Laplace (GLM MC)"}) {
            assertTrue(text.contains(method), method + " missing from report.json");
        }
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<html") && html.contains("</html>"), "report.html is not a complete page");
        assertFalse(Files.readString(dir.resolve("report.md")).isBlank());
        SavedModel model = SavedModel.read(dir.resolve("model.klm"));
        assertEquals(6, model.eta().length);
        assertTrue(model.priorPrecisions().length > 1, "layer-wise prior expected");
        assertTrue(r.out().contains("report:"), r.out());
        for (String set : new String[] {"rotated", "noise std", "smooth-noise"}) {
            assertTrue(text.contains(set), set + " results missing from report.json");
        }

        assertEquals("kronlaplace train --quiet --train-size 16 --test-size 8 --epochs 1 -F 1 -B 1 -K 2 "
                + "--aug-hypersteps 1 --aug-batch-size 4 --batch-size 16 --mc-samples 4 --out " + dir,
                json.get("run").get("Command").asText());
        assertEquals("0", json.get("run").get("Seed").asText());
        assertTrue(json.get("run").get("Training examples").asText().startsWith("16 "), json.get("run").toString());
        assertTrue(json.get("run").get("Test examples").asText().startsWith("8 "), json.get("run").toString());
        // the evaluated posterior covers the last layer: its prior is the saved one of the last weight and bias
        JsonNode priors = json.get("priorPrecisions");
        assertEquals(2, priors.size(), priors.toString());
        double[] saved = model.priorPrecisions();
        assertEquals(saved[saved.length - 2], priors.get("fc.weight").asDouble(), 0);
        assertEquals(saved[saved.length - 1], priors.get("fc.bias").asDouble(), 0);
        // both OOD scores for each of the four methods: the invariant model's MAP, probit and MC, the plain network
        assertEquals(8, json.get("ood").size());
        // one epoch, whose weights are the evaluated ones: its test metrics are the plain network's on the clean set
        JsonNode map = null;
        for (JsonNode entry : json.get("classification")) {
            if (entry.get("method").asText().equals("MAP (plain network)") && map == null) {
                map = entry;
            }
        }
        assertTrue(map != null, "the plain network's row is reported beside the invariant model's");
        assertEquals(map.get("accuracy").asDouble(), json.get("training").get("testAccuracy").get(0).asDouble(), 0);
        assertEquals(map.get("nll").asDouble(), json.get("training").get("testNll").get(0).asDouble(), 1e-5);
    }

    @Test
    void savedModelHoldsWeightsAndHyperparametersOfTheBestEpoch() throws Exception {
        MainTest.Run r = MainTest.run("train", "--quiet", "--train-size", "16", "--test-size", "8", "--epochs", "3",
                "-F", "1", "-B", "1", "-K", "3", "--aug-hypersteps", "2", "--aug-batch-size", "4", "--batch-size",
                "8", "--mc-samples", "4", "--out", dir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(dir.resolve("model.klm"));
        CheckpointData checkpoint = CheckpointFile.read(dir.resolve("checkpoint.klck"));
        int best = checkpoint.metadata().get("bestEpoch").asInt();
        JsonNode summary = checkpoint.metadata().get("history").get(best - 1);
        assertEquals(best, summary.get("epoch").asInt());
        ObjectMapper json = new ObjectMapper();
        assertArrayEquals(json.treeToValue(summary.get("priorPrecisions"), double[].class), model.priorPrecisions());
        assertArrayEquals(json.treeToValue(summary.get("augmentation"), double[].class), model.eta());
        Map<String, INDArray> bestWeights = checkpoint.tensorsWithPrefix("best/");
        assertEquals(bestWeights.keySet(), model.state().keySet());
        bestWeights.forEach((name, value) -> assertEquals(value, model.state().get(name), name));
    }
}
