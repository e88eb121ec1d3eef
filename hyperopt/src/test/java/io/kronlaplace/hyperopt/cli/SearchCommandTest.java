package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search} of tiny MLPs on CSV tables in-process: a two-point regression grid ranked by held-out Gaussian
 * log-likelihood in the targets' own units, a tabular classification grid, and refused combinations (exit 2).
 */
class SearchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TINY = {"search", "--quiet", "--model-kind", "MLP", "--hidden", "4",
        "--widths", "1", "--prior-precisions", "0.1,10", "--frequencies", "1", "--epochs", "3", "-K", "2",
        "--batch-size", "8"};

    @TempDir
    Path dir;

    private static MainTest.Run search(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of(TINY));
        all.addAll(List.of(args));
        all.addAll(List.of("--out", out.toString()));
        return MainTest.run(all.toArray(String[]::new));
    }

    /** The CSV with every target {@code y} replaced by {@code offset + scale * y}. */
    private static String rescaled(String csv, double offset, double scale) {
        StringBuilder b = new StringBuilder();
        for (String line : csv.split("\n")) {
            String[] cells = line.split(",");
            if (!cells[1].equals("y")) {
                cells[1] = String.format(Locale.ROOT, "%.9f", offset + scale * Double.parseDouble(cells[1]));
            }
            b.append(String.join(",", cells)).append('\n');
        }
        return b.toString();
    }

    @Test
    void regressionGridIsRankedByHeldOutLogLikelihoodInTheTargetsUnits() throws Exception {
        String csv = DataFormatsCommandTest.regressionCsv(40, 3);
        Path file = Files.writeString(dir.resolve("train.csv"), csv);
        Path out = dir.resolve("search");
        MainTest.Run r = search(out, "--train-file", file.toString(), "--target-column", "y");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonNode json = JSON.readTree(out.resolve("search.json").toFile());
        JsonNode byNll = json.get("byValidationNll");
        assertEquals(2, byNll.size());
        assertEquals(2, json.get("byMarginalLikelihood").size());
        double best = byNll.get(0).get("validationNll").asDouble();
        double second = byNll.get(1).get("validationNll").asDouble();
        assertTrue(Double.isFinite(best) && best <= second, byNll.toString());
        // the two points are the two prior precisions of the grid, best held-out log-likelihood (-NLL) first
        assertEquals(0.1 + 10, byNll.get(0).get("priorPrecision").asDouble()
                + byNll.get(1).get("priorPrecision").asDouble(), 1e-12);
        for (JsonNode point : byNll) {
            assertTrue(point.get("validationAccuracy").isNull(), "regression has no accuracy: " + point);
            assertFalse(point.get("logMarginalLikelihood").isNull(), point.toString());
            // one hidden layer of 4 over 2 features and one output: 2*4+4 + 4*1+1
            assertEquals(17, point.get("parameters").asLong());
        }
        String table = Files.readString(out.resolve("search.md"));
        assertTrue(table.contains("| - |"), table);

        // targets 1000 times larger standardise to the same rows: the same training, and a held-out Gaussian NLL
        // in the targets' units larger by exactly log 1000 per row
        Path scaledFile = Files.writeString(dir.resolve("scaled.csv"), rescaled(csv, -7, 1000));
        Path scaledOut = dir.resolve("scaled");
        MainTest.Run s = search(scaledOut, "--train-file", scaledFile.toString(), "--target-column", "y");
        assertEquals(ExitCodes.OK, s.code(), s.err());
        JsonNode scaled = JSON.readTree(scaledOut.resolve("search.json").toFile()).get("byValidationNll");
        for (int i = 0; i < 2; i++) {
            assertEquals(byNll.get(i).get("priorPrecision").asDouble(),
                    scaled.get(i).get("priorPrecision").asDouble());
            assertEquals(byNll.get(i).get("validationNll").asDouble() + Math.log(1000),
                    scaled.get(i).get("validationNll").asDouble(), 1e-3);
        }
    }

    @Test
    void tabularClassificationGridScoresAccuracy() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 30; i++) {
            int label = i % 3;
            csv.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", label + 0.3 * random.nextDouble(),
                    random.nextDouble(), label));
        }
        Path file = Files.writeString(dir.resolve("classes.csv"), csv.toString());
        Path out = dir.resolve("classes");
        MainTest.Run r = search(out, "--train-file", file.toString(), "--task", "CLASSIFICATION");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        for (JsonNode point : JSON.readTree(out.resolve("search.json").toFile()).get("byValidationNll")) {
            double accuracy = point.get("validationAccuracy").asDouble();
            assertTrue(accuracy >= 0 && accuracy <= 1, point.toString());
            // 2 features -> 4 -> 3 classes
            assertEquals(2 * 4 + 4 + 4 * 3 + 3, point.get("parameters").asLong());
        }
    }

    @Test
    void theOptimiserDefaultsToAdamOnFilesAndFollowsTheOptionsAsTrainDoes() throws Exception {
        Path file = Files.writeString(dir.resolve("train.csv"), DataFormatsCommandTest.regressionCsv(20, 5));
        String[] data = {"--train-file", file.toString(), "--target-column", "y"};
        MainTest.Run byDefault = search(dir.resolve("default"), data);
        assertEquals(ExitCodes.OK, byDefault.code(), byDefault.err());
        assertTrue(byDefault.out().contains("3 epochs of ADAM at learning rate 0.003 on batches of 8"),
                byDefault.out());
        MainTest.Run sgd = search(dir.resolve("sgd"), concat(data, "--optimizer", "SGD", "--lr", "0.05"));
        assertEquals(ExitCodes.OK, sgd.code(), sgd.err());
        assertTrue(sgd.out().contains("3 epochs of SGD at learning rate 0.05 on batches of 8"), sgd.out());
        assertNotEquals(JSON.readTree(dir.resolve("default").resolve("search.json").toFile()),
                JSON.readTree(dir.resolve("sgd").resolve("search.json").toFile()), "the optimiser trains the points");
        assertBad(search(dir.resolve("rate"), concat(data, "--lr", "0")), "--lr");
    }

    @Test
    void badCombinationsExitTwoNamingTheProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("train.csv"), DataFormatsCommandTest.regressionCsv(20, 5));
        String[] data = {"--train-file", file.toString(), "--target-column", "y"};
        MainTest.Run wrn = MainTest.run("search", "--quiet", data[0], data[1], data[2], data[3], "--out",
                dir.resolve("wrn").toString());
        assertEquals(ExitCodes.USAGE, wrn.code(), wrn.err());
        assertTrue(wrn.err().contains("--model-kind MLP"), wrn.err());
        assertBad(MainTest.run(concat(data, "search", "--model-kind", "CNN", "--out",
                dir.resolve("cnn").toString())), "CNN");
        assertBad(search(dir.resolve("zero"), concat(data, "--hidden", "0")), "hidden widths");
        assertBad(MainTest.run("search", "--quiet", "--hidden", "4", "--out", dir.resolve("hidden").toString()),
                "--hidden");
        assertBad(search(dir.resolve("depth"), concat(data, "--depth", "16")), "--depth");
        assertBad(search(dir.resolve("variant"), concat(data, "--variant", "BATCHNORM")), "--variant");
        assertBad(search(dir.resolve("fraction"), concat(data, "--validation-fraction", "1")),
                "--validation-fraction");
    }

    /** {@code more} followed by {@code data}. */
    private static String[] concat(String[] data, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of(data));
        return all.toArray(String[]::new);
    }

    private static void assertBad(MainTest.Run run, String named) {
        assertEquals(ExitCodes.USAGE, run.code(), run.err());
        assertTrue(run.err().contains(named), run.err());
    }
}
