package io.kronlaplace.hyperopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The regression study end to end on a 20-row table, and its mean and standard error. */
class RegressionStudyTest {
    @TempDir
    Path dir;

    @Test
    void runsEveryMethodOnTwentyRows() throws IOException {
        Path csv = dir.resolve("tiny.csv");
        StringBuilder text = new StringBuilder("a,b,target\n");
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 20; i++) {
            double a = r.nextDouble();
            double b = r.nextDouble();
            text.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f%n", a, b, 3 * a - b + 0.1 * r.nextDouble()));
        }
        Files.writeString(csv, text);
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = new CommandLine(new RegressionStudy()).execute("--splits", "2", "--epochs", "3", "--hidden", "4",
                    "--batch-size", "8", csv.toString());
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        String[] lines = out.strip().split("\n");
        assertEquals(5, lines.length, out);
        for (int i = 2; i < 5; i++) {
            String[] cells = lines[i].split("\\|");
            assertTrue(cells[2].strip().equals(RegressionStudy.Method.values()[i - 2].name()), lines[i]);
            double logLik = Double.parseDouble(cells[3].strip().split(" ")[0]);
            double rmse = Double.parseDouble(cells[4].strip().split(" ")[0]);
            assertTrue(Double.isFinite(logLik) && rmse > 0 && Double.isFinite(rmse), lines[i]);
        }
    }

    @Test
    void meanAndStandardErrorOverSplits() {
        // values 1, 2, 3, 6: mean 3, sample variance 14/3, standard error sqrt(14/3/4)
        List<double[]> s = List.of(new double[] {1}, new double[] {2}, new double[] {3}, new double[] {6});
        assertEquals(String.format(Locale.ROOT, "%.3f +- %.3f", 3.0, Math.sqrt(14.0 / 3 / 4)),
                RegressionStudy.meanAndError(s, 0));
    }
}
