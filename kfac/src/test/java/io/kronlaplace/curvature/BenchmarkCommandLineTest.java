package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import io.kronlaplace.nn.models.TrainStepBenchmark;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The kfac module's benchmark command lines: {@code --help} prints the usage instead of running; the old positional
 * and single-flavour syntax is rejected before anything runs.
 */
class BenchmarkCommandLineTest {
    @Test
    void helpPrintsTheUsageInsteadOfRunning() {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            KfacBenchmark.main(new String[] {"--model", "vit", "--help"});
        } finally {
            System.setOut(saved);
        }
        assertEquals(KfacBenchmark.USAGE + System.lineSeparator(), captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void positionalBatchesAndUnknownOptionsAreRejectedBeforeAnythingRuns() {
        String positional = assertThrows(IllegalArgumentException.class,
                () -> KfacBenchmark.main(new String[] {"32", "128"})).getMessage();
        assertTrue(positional.contains("unexpected argument '32'"), positional);
        String unknown = assertThrows(IllegalArgumentException.class,
                () -> KfacBenchmark.main(new String[] {"--flavour=expand"})).getMessage();
        assertTrue(unknown.contains("unknown option '--flavour'") && unknown.contains("--flavours"), unknown);
        String model = assertThrows(IllegalArgumentException.class,
                () -> KfacBenchmark.main(new String[] {"--model", "mlp"})).getMessage();
        assertTrue(model.contains("--model: unknown value 'mlp'"), model);
        String steps = assertThrows(IllegalArgumentException.class,
                () -> TrainStepBenchmark.main(new String[] {"128", "5"})).getMessage();
        assertTrue(steps.contains("unexpected argument '128'"), steps);
        String warmup = assertThrows(IllegalArgumentException.class,
                () -> TrainStepBenchmark.main(new String[] {"--warmup", "-1"})).getMessage();
        assertTrue(warmup.contains("--warmup needs an integer >= 0"), warmup);
        String variant = assertThrows(IllegalArgumentException.class,
                () -> TrainStepBenchmark.main(new String[] {"--variant", "RESNEXT"})).getMessage();
        assertTrue(variant.contains("--variant") && variant.contains("RESNEXT"), variant);
    }
}
