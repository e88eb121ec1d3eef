package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Command-line parsing, help and error reporting, in process. */
class MainTest {
    @TempDir
    Path dir;

    /** Exit code and captured streams of one in-process run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "evaluate", "search", "curvature", "bench", "import"})
    void everyCommandHasHelp(String command) {
        // picocli reports malformed descriptions (e.g. an unescaped %) as warnings on System.err
        java.io.PrintStream systemErr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        Run r;
        try {
            System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
            r = run(command, "--help");
        } finally {
            System.setErr(systemErr);
        }
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8), "help of " + command);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("Usage: kronlaplace " + command), r.out());
        assertTrue(r.out().contains("--quiet"), r.out());
    }

    @Test
    void topLevelHelpListsCommands() {
        Run r = run("--help");
        assertEquals(ExitCodes.OK, r.code());
        for (String c : new String[] {"train", "evaluate", "search", "curvature", "bench"}) {
            assertTrue(r.out().contains(c), r.out());
        }
    }

    @Test
    void missingSubcommandIsAUsageError() {
        Run r = run();
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("missing sub-command"), r.err());
    }

    @Test
    void unknownOptionIsAUsageErrorWithAHint() {
        Run r = run("train", "--epoch", "3");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--epoch"), r.err());
        assertTrue(r.err().contains("kronlaplace train --help"), r.err());
    }

    @Test
    void malformedNumberIsAUsageError() {
        Run r = run("train", "--epochs", "three");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("three"), r.err());
    }

    @Test
    void unknownEnumValueNamesTheChoices() {
        Run r = run("train", "--flavour", "SIDEWAYS");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("SIDEWAYS") && r.err().contains("REDUCE"), r.err());
    }

    @Test
    void outOfRangeValueIsAUsageErrorNamingIt() {
        Run r = run("train", "--epochs", "0", "--quiet", "--train-size", "8", "--test-size", "4",
                "--out", dir.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("epochs must be"), r.err());
    }

    @Test
    void missingModelFileIsAnInputError() {
        Run r = run("evaluate", "--model", dir.resolve("nope.klm").toString(), "--quiet");
        assertEquals(ExitCodes.INPUT, r.code());
        assertTrue(r.err().contains("file not found") && r.err().contains("nope.klm"), r.err());
    }

    @Test
    void corruptModelFileIsAnInputError() throws Exception {
        Path bad = dir.resolve("bad.klm");
        Files.writeString(bad, "not a model");
        Run r = run("curvature", "--model", bad.toString(), "--quiet");
        assertEquals(ExitCodes.INPUT, r.code());
        assertTrue(r.err().contains("corrupt model file") && r.err().contains("bad.klm"), r.err());
    }

    @Test
    void missingDataDirectoryIsAnInputError() {
        Run r = run("train", "--data-dir", dir.resolve("cifar").toString(), "--quiet", "--out", dir.toString());
        assertEquals(ExitCodes.INPUT, r.code());
        assertTrue(r.err().contains("cifar"), r.err());
    }

    @Test
    void aFileGivenForADirectoryAndADirectoryForAFileAreNamedAsSuch() throws Exception {
        Path file = Files.writeString(dir.resolve("cifar.bin"), "x");
        Run r = run("train", "--data-dir", file.toString(), "--quiet", "--out", dir.resolve("a").toString());
        assertEquals(ExitCodes.INPUT, r.code());
        assertTrue(r.err().contains(file + ": a file, not the CIFAR-10 data directory"), r.err());
        Path run = Files.createDirectories(dir.resolve("run"));
        r = run("evaluate", "--model", run.toString(), "--quiet", "--out", dir.resolve("b").toString());
        assertEquals(ExitCodes.INPUT, r.code());
        assertTrue(r.err().contains(run + ": a directory, not a model file: give " + run.resolve("model.klm")),
                r.err());
    }

    @Test
    void resumeWithoutCheckpointIsAnInputError() {
        Run r = run("train", "--resume", "--quiet", "--train-size", "8", "--test-size", "4", "--out",
                dir.resolve("fresh").toString());
        assertEquals(ExitCodes.INPUT, r.code());
        assertTrue(r.err().contains("checkpoint"), r.err());
    }

    @Test
    void benchmarkArgumentsGoToOneChosenBenchmark() {
        Run r = run("bench", "--", "--batch=32");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("choose it with --only NAME"), r.err());
    }

    @Test
    void benchmarkOutputIsForwardedLineByLineAsItIsWritten() {
        StringWriter out = new StringWriter();
        BenchCommand.LineForwarder forwarder = new BenchCommand.LineForwarder(new PrintWriter(out));
        for (byte b : "first line\nsecond".getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            forwarder.write(b);
        }
        assertEquals("first line\n", out.toString(), "a finished line is shown at once");
        forwarder.close();
        assertEquals("first line\nsecond", out.toString());
    }

    @Test
    void unknownBenchmarkIsAUsageError() {
        Run r = run("bench", "--only", "warp-drive");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("warp-drive"), r.err());
    }
}
