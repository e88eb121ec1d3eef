package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.bench.BenchmarkArguments;
import io.kronlaplace.curvature.KfacFlavour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmark's command line: help, one option style, rejected unknown options; and a tiny end-to-end run. */
class LaplaceBenchmarkTest {

    private static String captureOutput(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            LaplaceBenchmark.main(args);
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsTheUsageInsteadOfRunning() {
        String out = captureOutput("--help");
        assertEquals(LaplaceBenchmark.USAGE + System.lineSeparator(), out);
        assertTrue(out.contains("--classes") && out.contains("--linearised-samples"), out);
        // help wins over any other option: nothing is run
        assertEquals(out, captureOutput("--fit-images", "5", "--help"));
    }

    @Test
    void unknownOptionsAndMalformedValuesAreRejectedBeforeAnythingRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaplaceBenchmark.main(new String[] {"--fit-image", "50"}));
        assertTrue(e.getMessage().contains("unknown option '--fit-image'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaplaceBenchmark.main(new String[] {"50"}));
        assertTrue(e.getMessage().contains("unexpected argument '50'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaplaceBenchmark.main(new String[] {"--batch"}));
        assertTrue(e.getMessage().contains("'--batch' needs a value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LaplaceBenchmark.main(new String[] {"--batch", "0"}));
        assertTrue(e.getMessage().contains("--batch needs an integer >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LaplaceBenchmark.main(new String[] {"--flavours", "REDUCED"}));
        assertTrue(e.getMessage().contains("unknown value 'REDUCED'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LaplaceBenchmark.main(new String[] {"--batch", "5", "--batch=6"}));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
    }

    @Test
    void lastLayerBenchmarkRejectsUnknownOptionsAndValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LastLayerBenchmark.main(new String[] {"--fit-image", "50"}));
        assertTrue(e.getMessage().contains("unknown option '--fit-image'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LastLayerBenchmark.main(new String[] {"--structures=KRON,DIAGONALS"}));
        assertTrue(e.getMessage().contains("--structures: unknown value 'DIAGONALS'"), e.getMessage());
        assertTrue(LastLayerBenchmark.USAGE.contains("--structures") && LastLayerBenchmark.USAGE.contains("--help"));
    }

    @Test
    void bothSpellingsOfAnOptionGiveTheSameSettings() {
        Set<String> known = Set.of("--classes", "--flavours", "--predictives", "--batch");
        LaplaceBenchmark.Settings spaced = LaplaceBenchmark.Settings.parse(BenchmarkArguments.parse(new String[] {
            "--classes", "10,100", "--flavours", "reduce", "--predictives", "EXACT,LAST_LAYER"}, known));
        LaplaceBenchmark.Settings joined = LaplaceBenchmark.Settings.parse(BenchmarkArguments.parse(new String[] {
            "--classes=10,100", "--flavours=reduce", "--predictives=EXACT,LAST_LAYER"}, known));
        for (LaplaceBenchmark.Settings s : List.of(spaced, joined)) {
            assertArrayEquals(new int[] {10, 100}, s.classes());
            assertEquals(List.of(KfacFlavour.REDUCE), s.flavours());
            assertEquals(EnumSet.of(LaplaceBenchmark.Predictive.EXACT, LaplaceBenchmark.Predictive.LAST_LAYER),
                    s.predictives());
            assertEquals(50, s.batch());
        }
    }

    @Test
    void tinyRunPrintsEveryPredictiveForEachHeadSize() {
        String out = captureOutput("--depth", "10", "--widen", "1", "--fit-images", "4", "--test-images", "2",
                "--batch", "2", "--hypersteps", "2", "--flavours", "REDUCE", "--classes", "3,5",
                "--linearised-samples", "2", "--head-test-images", "4");
        for (String c : List.of("C=3", "C=5")) {
            for (String line : List.of("all weights, GLM probit predictive", "linearised sampling predictive",
                    "last layer, GLM probit predictive end to end", "last layer, GLM probit predictive on")) {
                assertTrue(out.lines().anyMatch(l -> l.contains(c) && l.contains(line) && l.contains("images/s")),
                        "no line '" + line + "' for " + c + " in:\n" + out);
            }
        }
    }
}
