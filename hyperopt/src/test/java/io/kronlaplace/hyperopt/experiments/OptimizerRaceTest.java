package io.kronlaplace.hyperopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The optimiser comparison: its summary table, and a tiny run of every method end to end. */
class OptimizerRaceTest {
    @Test
    void tableTakesEachMethodsFastestRunAndDividesByTheReference() {
        List<RaceResult> results = List.of(
                new RaceResult(OptimizerRace.Method.ADAM, 0.001, -1, Double.NaN, 0.4, 100, 10, false),
                new RaceResult(OptimizerRace.Method.ADAM, 0.003, 80, 8.0, 0.7, 80, 8.0, false),
                new RaceResult(OptimizerRace.Method.KFAC_REDUCE, 0.1, 40, 6.0, 0.7, 40, 6.0, false),
                new RaceResult(OptimizerRace.Method.KFAC_REDUCE, 0.3, 60, 9.0, 0.7, 60, 9.0, false),
                new RaceResult(OptimizerRace.Method.KFAC_EXPAND, 0.3, -1, Double.NaN, 0.1, 7, 1.0, true));
        String table = OptimizerRace.table(results);
        String[] lines = table.split("\n");
        assertEquals(5, lines.length, table);
        assertTrue(lines[2].startsWith("| ADAM | 0.00300000 | 80 | 8.0 | 0.700 | 1.00 | 1.00 |"), lines[2]);
        assertTrue(lines[3].startsWith("| KFAC_REDUCE | 0.100000 | 40 | 6.0 | 0.700 | 0.50 | 0.75 |"), lines[3]);
        assertTrue(lines[4].startsWith("| KFAC_EXPAND | 0.300000 | not reached | - | 0.100 | - | - |"), lines[4]);
    }

    @Test
    void everyMethodRunsOnATinyVit() {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = new CommandLine(new OptimizerRace()).execute("--methods", "ADAM,NESTEROV,KFAC_EXPAND,KFAC_REDUCE",
                    "--reference-lrs", "0.001", "--kfac-lrs", "0.05", "--max-steps", "4", "--warmup", "2",
                    "--eval-every", "2", "--train-size", "40", "--val-size", "20", "--batch-size", "8",
                    "--width", "8", "--depth", "1", "--heads", "2", "--patch", "8", "--target", "0");
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        for (String method : new String[] {"ADAM", "NESTEROV", "KFAC_EXPAND", "KFAC_REDUCE"}) {
            assertTrue(out.contains("run " + method + " lr=") && out.contains("| " + method + " |"), out);
        }
        assertTrue(out.contains("target at step 2"), "a target of 0 is reached at the first evaluation: " + out);
    }
}
