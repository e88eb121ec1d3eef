package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The option blocks declared once as mixins appear, unchanged in name, in every command that uses them. */
class SharedOptionsTest {
    private static final List<String> COMMON = List.of("-q, --quiet", "--stacktrace", "--threads=N");
    private static final List<String> DATA = List.of("--data-dir=DIR", "--train-size=N", "--test-size=N",
            "--synthetic-variant=VARIANT", "--data-seed=SEED");
    private static final List<String> MODEL = List.of("-m, --model=FILE");
    private static final List<String> OUTPUT = List.of("-o, --out=DIR");
    private static final List<String> SEED = List.of("--seed=SEED");
    private static final List<String> FLAVOUR = List.of("--flavour=F");
    private static final List<String> PREDICTIVE = List.of("--mc-samples=N");

    private static final Map<String, List<List<String>>> BLOCKS = Map.of(
            "train", List.of(COMMON, DATA, OUTPUT, SEED, FLAVOUR, PREDICTIVE),
            "evaluate", List.of(COMMON, DATA, MODEL, OUTPUT, SEED, FLAVOUR, PREDICTIVE),
            "search", List.of(COMMON, DATA, OUTPUT, SEED, FLAVOUR),
            "curvature", List.of(COMMON, DATA, MODEL, OUTPUT),
            "bench", List.of(COMMON));

    @Test
    void everyCommandsHelpListsItsSharedOptionsWithoutPicocliWarnings() {
        // picocli reports annotation problems (bad format strings, duplicate names) on System.err, not the
        // command's error writer
        PrintStream saved = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            for (var entry : BLOCKS.entrySet()) {
                MainTest.Run r = MainTest.run(entry.getKey(), "--help");
                assertEquals(ExitCodes.OK, r.code(), r.err());
                assertEquals("", r.err(), entry.getKey());
                for (List<String> block : entry.getValue()) {
                    for (String option : block) {
                        assertTrue(r.out().contains(option), entry.getKey() + " --help lacks " + option);
                    }
                }
            }
        } finally {
            System.setErr(saved);
        }
        String printed = warnings.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("picocli"), printed);
    }

    @Test
    void commandsWithoutAnOptionBlockDoNotGetIt() {
        assertFalse(MainTest.run("curvature", "--help").out().contains("--mc-samples"));
        // the model-file option, not --model-kind
        assertFalse(MainTest.run("search", "--help").out().contains("--model="));
        assertFalse(MainTest.run("bench", "--help").out().contains("--out"));
    }

    @Test
    void outputDirectoryDefaultsToRunsSlashCommandName() {
        for (String command : List.of("train", "evaluate", "search", "curvature")) {
            assertTrue(MainTest.run(command, "--help").out().contains("(default: runs/" + command + ")"), command);
        }
        EvaluateCommand evaluate = new EvaluateCommand();
        new CommandLine(evaluate).parseArgs("--model", "m.klm");
        assertEquals(Path.of("runs", "evaluate"), evaluate.output.directory());
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("-o", "elsewhere", "--seed", "7");
        assertEquals(Path.of("elsewhere"), train.output.directory());
        assertEquals(7L, train.seeds.seed());
    }

    @Test
    void nonPositiveMcSamplesAreRejectedByName() {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("--mc-samples", "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train.predictive.mcSamples());
        assertTrue(e.getMessage().contains("--mc-samples"), e.getMessage());
    }
}
