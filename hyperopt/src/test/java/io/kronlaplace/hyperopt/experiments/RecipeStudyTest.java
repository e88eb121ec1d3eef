package io.kronlaplace.hyperopt.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.cli.ExitCodes;
import io.kronlaplace.validation.report.ReportWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The recipe study end to end on a tiny CNN and a few random 28 x 28 digit-like images. */
class RecipeStudyTest {
    private static final List<String> RECIPES = List.of("MAP", "last-layer KRON probit", "last-layer KRON bridge",
            "last-layer KRON bridge-norm", "last-layer KRON MC", "last-layer KRON probit, prior by val. NLL",
            "last-layer FULL probit", "all-weights KRON expand probit",
            "all-weights KRON expand probit, temperature by val. NLL",
            "all-weights KRON expand probit, prior by val. NLL", "all-weights KRON reduce probit",
            "all-weights KRON reduce, linearised sampling (2 draws)", "online marglik: MAP",
            "online marglik: all-weights KRON reduce probit");

    @TempDir
    Path dir;

    @Test
    void everyRecipeGetsARowWithMapFirst() throws IOException {
        Path data = dir.resolve("digits");
        Files.createDirectories(data);
        writeIdx(data, "train", 40, 1);
        writeIdx(data, "test", 16, 2);
        Path out = dir.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RecipeStudy study = new RecipeStudy();
        study.logTo(new PrintStream(log, true, StandardCharsets.UTF_8));
        int code = new CommandLine(study).execute("--data", data.toString(), "--out", out.toString(), "--train",
                "40", "--validation", "10", "--test", "16", "--channels", "2", "--hidden", "6", "--epochs", "1",
                "--online-epochs", "2", "--weight-decays", "1,10", "--rotations", "45", "--noise", "0.3", "--ood",
                "8", "--mc-samples", "5", "--linearised-samples", "2", "--batch-size", "16");
        assertEquals(ExitCodes.OK, code, log.toString(StandardCharsets.UTF_8));
        String table = Files.readString(out.resolve(RecipeStudy.TABLE));
        List<String> rows = table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| Recipe")).toList();
        assertEquals(RECIPES, rows.stream().map(r -> r.substring(2, r.indexOf(" |"))).toList(), table);
        // each row: name, 4 clean metrics, NLL under the rotation and the noise, accuracies, OOD AUROC (9 cells)
        for (String row : rows) {
            assertEquals(11, row.split("\\|", -1).length, row);
        }
        assertTrue(Files.exists(out.resolve(ReportWriter.JSON)));
        assertTrue(table.contains("- MAP: prior precision (weight decay)"), table);
    }

    @Test
    void missingDataIsAnInputErrorAndBadCountsAUsageError() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RecipeStudy study = new RecipeStudy();
        study.logTo(new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(ExitCodes.INPUT, new CommandLine(study).execute("--data", dir.resolve("none").toString(),
                "--out", dir.resolve("out").toString()));
        assertTrue(log.toString(StandardCharsets.UTF_8).startsWith("error: "), log.toString(StandardCharsets.UTF_8));
        assertEquals(ExitCodes.USAGE, new CommandLine(new RecipeStudy()).execute("--data", dir.toString(), "--out",
                dir.resolve("out").toString(), "--train", "10", "--validation", "10"));
    }

    /** Random IDX images in which the label sets the brightness of one image quadrant, so there is something to learn. */
    private static void writeIdx(Path dir, String prefix, int count, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer images = ByteBuffer.allocate(16 + count * 28 * 28);
        images.putInt(0x00000803).putInt(count).putInt(28).putInt(28);
        ByteBuffer labels = ByteBuffer.allocate(8 + count);
        labels.putInt(0x00000801).putInt(count);
        for (int i = 0; i < count; i++) {
            int label = i % 10;
            labels.put((byte) label);
            for (int p = 0; p < 28 * 28; p++) {
                int quadrantBrightness = (p / 28 < 14) == (p % 28 < 14) ? label * 25 : 0;
                images.put((byte) Math.min(255, quadrantBrightness + random.nextInt(30)));
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }
}
