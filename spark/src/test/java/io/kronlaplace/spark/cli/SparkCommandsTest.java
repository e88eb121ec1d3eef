package io.kronlaplace.spark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.hyperopt.cli.ExitCodes;
import io.kronlaplace.hyperopt.cli.Main;
import io.kronlaplace.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code kronlaplace-spark train}, {@code evaluate} and {@code curvature} on {@code local[2]} write the files of the
 * single-machine {@code kronlaplace} commands with the same arguments: the exported factors of the float32 model to
 * float32 tolerance (1e-6 relative to the factor's largest entry), the evaluation report to 1e-9, and the report of
 * data-parallel training of a float32 Wide ResNet (two replicas) to float32 tolerance (1e-3); bad input gives the
 * single-machine exit codes and messages.
 */
class SparkCommandsTest {
    private static final String SPARK = "local[2]";
    private static final List<String> DATA = List.of("--quiet", "--train-size", "24", "--test-size", "8");

    @TempDir
    static Path dir;

    private static Path model;
    private static Path trainedReport;

    private record Run(int code, String out, String err) {
    }

    private static Run single(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run spark(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--spark-master", SPARK));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static List<String> args(String command, Path out, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(DATA);
        all.addAll(List.of(more));
        all.addAll(List.of("--out", out.toString()));
        return all;
    }

    private static List<String> trainArgs(Path out) {
        return args("train", out, "--epochs", "2", "-F", "1", "-B", "1", "-K", "2", "--aug-samples", "0",
                "--batch-size", "12", "--mc-samples", "4");
    }

    /** The single-machine training run whose model the other commands read. */
    @BeforeAll
    static void trainOnOneMachine() {
        Path out = dir.resolve("single-train");
        Run run = single(trainArgs(out));
        assertEquals(ExitCodes.OK, run.code(), run.err());
        model = out.resolve("model.klm");
        trainedReport = out.resolve("report.json");
    }

    /** Every number of {@code actual} within {@code tolerance} (relative, at least absolute) of {@code expected}. */
    private static void assertJsonClose(JsonNode expected, JsonNode actual, double tolerance, String path) {
        if (expected.isNumber() && actual.isNumber()) {
            double a = expected.asDouble();
            double b = actual.asDouble();
            assertTrue(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a)), path + ": " + a + " vs " + b);
        } else if (expected.isContainerNode()) {
            assertEquals(expected.size(), actual.size(), path + " size");
            if (expected.isArray()) {
                for (int i = 0; i < expected.size(); i++) {
                    assertJsonClose(expected.get(i), actual.get(i), tolerance, path + "[" + i + "]");
                }
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    assertJsonClose(e.getValue(), actual.path(e.getKey()), tolerance, path + "." + e.getKey());
                }
            }
        } else {
            assertEquals(expected, actual, path);
        }
    }

    private static JsonNode report(Path file, boolean withoutDescription) throws IOException {
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        // the command line names the program and the output directory, which differ between the runs compared
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("run")).remove("Command");
        if (withoutDescription) {
            // the description states the wall-clock training time
            ((com.fasterxml.jackson.databind.node.ObjectNode) json).remove("description");
        }
        return json;
    }

    @Test
    void dataParallelTrainWritesTheSingleMachineReportWithinFloat32Tolerance() throws IOException {
        Path out = dir.resolve("spark-train");
        Run run = spark(trainArgs(out));
        assertEquals(ExitCodes.OK, run.code(), run.err());
        assertTrue(Files.size(out.resolve("model.klm")) > 0);
        assertJsonClose(report(trainedReport, true), report(out.resolve("report.json"), true), 1e-3, "report");
    }

    @Test
    void evaluateWritesTheSingleMachineReport() throws IOException {
        Path singleOut = dir.resolve("single-evaluate");
        Path sparkOut = dir.resolve("spark-evaluate");
        String[] more = {"--model", model.toString(), "--mc-samples", "4", "--batch-size", "5"};
        Run one = single(args("evaluate", singleOut, more));
        assertEquals(ExitCodes.OK, one.code(), one.err());
        Run run = spark(args("evaluate", sparkOut, more));
        assertEquals(ExitCodes.OK, run.code(), run.err());
        assertJsonClose(report(singleOut.resolve("report.json"), false), report(sparkOut.resolve("report.json"), false),
                1e-9, "report");
    }

    @Test
    void curvatureExportsTheSingleMachineFactors() throws IOException {
        Path singleOut = dir.resolve("single-curvature");
        Path sparkOut = dir.resolve("spark-curvature");
        String[] more = {"--model", model.toString(), "--curvature", "MC_FISHER", "--batch-size", "5"};
        Run one = single(args("curvature", singleOut, more));
        assertEquals(ExitCodes.OK, one.code(), one.err());
        Run run = spark(args("curvature", sparkOut, more));
        assertEquals(ExitCodes.OK, run.code(), run.err());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(singleOut)) {
            files = walk.filter(p -> p.toString().endsWith(".npy")).sorted().toList();
        }
        assertTrue(files.size() >= 4, "factors of both flavours expected: " + files);
        for (Path file : files) {
            INDArray expected = Npy.read(file);
            INDArray actual = Npy.read(sparkOut.resolve(singleOut.relativize(file)));
            assertEquals(DataType.DOUBLE, actual.dataType());
            assertArrayEquals(expected.shape(), actual.shape(), file.toString());
            double scale = expected.amaxNumber().doubleValue();
            double diff = expected.sub(actual).amaxNumber().doubleValue();
            // the model is float32, and one run differed at float32 rounding (3.4e-8 of the largest entry): the float32
            // tolerance of docs/spark.md (Exactness) applies
            assertTrue(diff <= 1e-6 * scale, file + ": largest difference " + diff + " of " + scale);
        }
    }

    @Test
    void badInputGivesTheSingleMachineExitCodesAndMessages() {
        List<String> missing = args("curvature", dir.resolve("missing-out"), "--model",
                dir.resolve("missing.klm").toString());
        Run one = single(missing);
        Run run = spark(missing);
        assertEquals(ExitCodes.INPUT, one.code(), one.err());
        assertEquals(one.code(), run.code());
        assertEquals(one.err(), run.err());

        List<String> batch = args("curvature", dir.resolve("batch-out"), "--model", model.toString(),
                "--batch-size", "0");
        Run badOne = single(batch);
        Run badSpark = spark(batch);
        assertEquals(ExitCodes.USAGE, badOne.code(), badOne.err());
        assertEquals(badOne.code(), badSpark.code());
        assertEquals(badOne.err(), badSpark.err());

        Run augmented = spark(args("train", dir.resolve("augmented-out"), "--epochs", "1", "--aug-samples", "2"));
        assertEquals(ExitCodes.USAGE, augmented.code(), augmented.err());
        assertTrue(augmented.err().contains("does not learn augmentation"), augmented.err());

        Run bridge = spark(args("evaluate", dir.resolve("bridge-out"), "--model", model.toString(), "--link",
                "MC,BRIDGE"));
        assertEquals(ExitCodes.USAGE, bridge.code(), bridge.err());
        assertTrue(bridge.err().contains("PROBIT and MC links only"), bridge.err());
    }
}
