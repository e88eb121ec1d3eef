package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.curvature.KronFactorFiles;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.nn.graph.Aggregation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --model-kind GNN} trains a graph network online with the binary likelihood and saves it;
 * {@code evaluate} and {@code curvature} rebuild it from the file; OGB {@code raw/} directories are read by option.
 */
class GraphCommandsTest {
    private static final String[] TINY = {"--gnn-width", "8", "--gnn-blocks", "1", "--epochs", "1", "-F", "1", "-B",
        "1", "-K", "2", "--batch-size", "8"};

    @TempDir
    Path dir;

    @Test
    void trainEvaluateAndCurvatureRunOnSyntheticGraphs() throws Exception {
        Path trained = dir.resolve("train");
        MainTest.Run r = MainTest.run(concat(new String[] {"train", "--quiet", "--model-kind", "GNN",
            "--gnn-aggregation", "MEAN", "--train-size", "24", "--test-size", "16", "--out", trained.toString()},
                TINY));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(trained.resolve("model.klm"));
        assertEquals(ModelKind.GNN, model.architecture().kind());
        assertEquals(Aggregation.MEAN, model.architecture().graph().aggregation());
        assertEquals(3, model.architecture().classes());
        assertEquals(0, model.normalizationMean().length);
        JsonNode report = new ObjectMapper().readTree(trained.resolve("report.json").toFile());
        assertMultiLabelResults(report);
        assertTrue(report.get("training").get("logMarginalLikelihood").get(0).isNumber(), report.toString());
        String modelFile = trained.resolve("model.klm").toString();

        MainTest.Run e = MainTest.run("evaluate", "--quiet", "-m", modelFile, "--train-size", "24", "--test-size",
                "16", "--batch-size", "8", "--flavour", "EXPAND", "--out", dir.resolve("evaluate").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertMultiLabelResults(new ObjectMapper().readTree(dir.resolve("evaluate").resolve("report.json").toFile()));

        MainTest.Run c = MainTest.run("curvature", "--quiet", "-m", modelFile, "--train-size", "24", "--batch-size",
                "8", "--out", dir.resolve("curvature").toString());
        assertEquals(ExitCodes.OK, c.code(), c.err());
        Path expand = dir.resolve("curvature").resolve("expand");
        Path reduce = dir.resolve("curvature").resolve("reduce");
        Map<String, KronFactors> expandFactors = KronFactorFiles.readFactors(expand);
        Map<String, KronFactors> reduceFactors = KronFactorFiles.readFactors(reduce);
        for (String layer : List.of("graph.block0.edge.0", "graph.block0.node.0", "head")) {
            assertTrue(expandFactors.containsKey(layer) && reduceFactors.containsKey(layer), layer);
        }
        // a node-wise layer shares its weights over each graph's own nodes: the flavours differ there
        assertFalse(expandFactors.get("graph.block0.node.0").a().equalsWithEps(
                reduceFactors.get("graph.block0.node.0").a(), 1e-6));
    }

    @Test
    void trainsOnAnOgbRawDirectory() throws Exception {
        Path raw = writeOgb(dir.resolve("raw"), 12);
        Path out = dir.resolve("ogb");
        MainTest.Run r = MainTest.run(concat(new String[] {"train", "--quiet", "--model-kind", "GNN", "--ogb-dir",
            raw.toString(), "--test-size", "4", "--curvature", "GGN", "--out", out.toString()}, TINY));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(out.resolve("model.klm"));
        assertEquals(2, model.architecture().classes());
        assertEquals(2, model.architecture().graph().nodeFeatures());
        assertEquals(1, model.architecture().graph().edgeFeatures());
        JsonNode test = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("multiLabel").get(0);
        assertEquals(4, test.get("count").asInt());
    }

    @Test
    void badOgbDirectoriesAndMixedOptionsFailWithAClearMessage() throws Exception {
        Path missing = dir.resolve("nowhere");
        MainTest.Run r = MainTest.run("train", "--quiet", "--model-kind", "GNN", "--ogb-dir", missing.toString(),
                "--out", dir.resolve("a").toString());
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        assertTrue(r.err().contains("OGB raw directory does not exist") && r.err().contains("nowhere"), r.err());

        Path raw = writeOgb(dir.resolve("raw"), 6);
        Files.delete(raw.resolve("edge.csv.gz"));
        r = MainTest.run("train", "--quiet", "--model-kind", "GNN", "--ogb-dir", raw.toString(), "--out",
                dir.resolve("b").toString());
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        assertTrue(r.err().contains("edge.csv"), r.err());

        Path corrupt = writeOgb(dir.resolve("corrupt"), 6);
        Files.writeString(corrupt.resolve("num-node-list.csv"), "3\n3\nx\n3\n3\n3\n");
        r = MainTest.run("train", "--quiet", "--model-kind", "GNN", "--ogb-dir", corrupt.toString(), "--out",
                dir.resolve("c").toString());
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        assertTrue(r.err().contains("num-node-list.csv"), r.err());

        r = MainTest.run("train", "--quiet", "--ogb-dir", raw.toString(), "--out", dir.resolve("d").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--ogb-dir applies to graph networks"), r.err());
        r = MainTest.run("train", "--quiet", "--model-kind", "GNN", "--data-dir", raw.toString(), "--out",
                dir.resolve("e").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--data-dir (CIFAR-10 images) does not apply to graph networks"), r.err());
    }

    private static void assertMultiLabelResults(JsonNode report) {
        JsonNode entries = report.get("multiLabel");
        assertEquals(2, entries.size(), report.toString());
        for (JsonNode entry : entries) {
            assertEquals(16, entry.get("count").asInt());
            assertTrue(entry.get("nll").asDouble() > 0, entry.toString());
            double ap = entry.get("averagePrecision").asDouble();
            assertTrue(ap > 0 && ap <= 1, entry.toString());
        }
    }

    /**
     * {@code count} graphs of 3 nodes, 2 node features and 1 edge feature; even graphs are triangles (3 bonds),
     * odd ones paths (2 bonds); task 0 is "triangle", task 1 is observed on every third graph only. The edge list
     * is gzipped, the others plain.
     */
    private static Path writeOgb(Path raw, int count) throws IOException {
        Files.createDirectories(raw);
        StringBuilder nodes = new StringBuilder();
        StringBuilder edgeCounts = new StringBuilder();
        StringBuilder edges = new StringBuilder();
        StringBuilder nodeFeatures = new StringBuilder();
        StringBuilder edgeFeatures = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int g = 0; g < count; g++) {
            boolean triangle = g % 2 == 0;
            nodes.append("3\n");
            edgeCounts.append(triangle ? "3\n" : "2\n");
            edges.append(triangle ? "0,1\n1,2\n2,0\n" : "0,1\n1,2\n");
            for (int v = 0; v < 3; v++) {
                nodeFeatures.append(6 + v).append(',').append(g % 3).append('\n');
            }
            edgeFeatures.append(triangle ? "1\n1\n1\n" : "2\n2\n");
            labels.append(triangle ? 1 : 0).append(',').append(g % 3 == 0 ? Integer.toString(g % 2) : "")
                    .append('\n');
        }
        Files.writeString(raw.resolve("num-node-list.csv"), nodes);
        Files.writeString(raw.resolve("num-edge-list.csv"), edgeCounts);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(raw.resolve("edge.csv.gz")))) {
            out.write(edges.toString().getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(raw.resolve("node-feat.csv"), nodeFeatures);
        Files.writeString(raw.resolve("edge-feat.csv"), edgeFeatures);
        Files.writeString(raw.resolve("graph-label.csv"), labels);
        return raw;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
