package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.hyperopt.EpochSummary;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.hyperopt.checkpoint.DataFormat;
import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.io.OutputWriteException;
import io.kronlaplace.laplace.LikelihoodType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks a run makes before any work (options, output directory, an earlier run's checkpoint), what it cleans on
 * start, what it refuses on resume, and what the train report and the saved model state.
 */
class OutputAndResumeChecksTest {
    /** Options of a one-epoch run on 16 synthetic images that ends before its burn-in (no marginal likelihood). */
    private static final String[] TINY = {"--quiet", "--train-size", "16", "--test-size", "8", "--epochs", "1",
        "-F", "1", "-B", "5", "--aug-samples", "0", "--batch-size", "16", "--mc-samples", "4"};

    @TempDir
    Path dir;

    /** {@link #TINY} with the options in {@code more} given instead of TINY's values. */
    private static MainTest.Run train(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", TINY[0]));
        for (int i = 1; i < TINY.length; i += 2) {
            if (!List.of(more).contains(TINY[i])) {
                args.add(TINY[i]);
                args.add(TINY[i + 1]);
            }
        }
        args.addAll(List.of(more));
        args.add("--out");
        args.add(out.toString());
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void badOptionsAreRefusedBeforeTheOutputDirectoryIsTouched() {
        Path out = dir.resolve("never");
        MainTest.Run r = train(out, "--mc-samples", "0");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--mc-samples must be >= 1, got 0"), r.err());
        assertFalse(Files.exists(out), "nothing may be created before the options are checked");
        r = MainTest.run("evaluate", "--quiet", "-m", dir.resolve("absent.klm").toString(), "--batch-size", "0",
                "--out", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--batch-size must be >= 1"), r.err());
        r = train(out, "--resume", "--overwrite");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        r = train(out, "--aug-init", "0");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--aug-init must be a finite magnitude > 0, got 0.0"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void anOutputPathThatIsAFileOrCannotBeCreatedIsRefusedAtOnce() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        MainTest.Run r = train(file);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--out " + file + " is a file, not a directory"), r.err());
        // a directory below a regular file cannot be created (also for root, unlike a read-only directory)
        Path below = file.resolve("run");
        r = train(below);
        assertEquals(ExitCodes.OUTPUT, r.code(), r.err());
        assertTrue(r.err().contains("cannot write the output directory " + below), r.err());
    }

    @Test
    void outputFailuresHaveTheirOwnExitCode() {
        OutputWriteException e = new OutputWriteException(dir.resolve("report.json"), "cannot write report.json",
                new IOException("No space left on device"));
        assertEquals(ExitCodes.OUTPUT, Main.exitCode(e));
        assertEquals(ExitCodes.INPUT, Main.exitCode(new IOException("unreadable input")));
        MainTest.Run help = MainTest.run("--help");
        assertTrue(help.out().replaceAll("\\s+", " ").contains("5 output not writable"), help.out());
    }

    @Test
    void anEarlierRunIsReplacedOnlyWhenAskedAndItsLeftoversAreCleaned() throws Exception {
        Path out = dir.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve(TrainCommand.CHECKPOINT), "an earlier run's checkpoint");
        MainTest.Run r = train(out);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--resume") && r.err().contains("--overwrite"), r.err());
        assertEquals("an earlier run's checkpoint", Files.readString(out.resolve(TrainCommand.CHECKPOINT)));

        Path leftover = Files.writeString(out.resolve(".model.klm.12345.tmp"), "half a model");
        Path staleChart = Files.writeString(out.resolve("reliability-an-old-method.png"), "old chart");
        Path usersImage = Files.writeString(out.resolve("notes.png"), "not a chart of ours");
        r = train(out, "--overwrite");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertFalse(Files.exists(leftover), "temporary files of interrupted writes are removed");
        assertFalse(Files.exists(staleChart), "charts of the earlier report are removed");
        assertTrue(Files.exists(usersImage), "other files are left alone");

        // the report: no hyperparameter learned before the burn-in, said so; train accuracy is not a hyperparameter
        String markdown = Files.readString(out.resolve("report.md"));
        assertTrue(markdown.contains("no marginal-likelihood update runs in these 1 epochs"), markdown);
        assertTrue(markdown.contains("no marginal-likelihood update ran, so the last epoch's weights"), markdown);
        assertFalse(markdown.contains("NaN"), markdown);
        assertTrue(r.out().contains("no marginal-likelihood update ran; the last epoch's weights are saved"), r.out());
        JsonNode training = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("training");
        assertFalse(training.get("hyperparameters").has("train accuracy"), training.toString());
        assertTrue(training.get("metrics").has("train accuracy"), training.toString());
        assertTrue(Files.exists(out.resolve("training-metrics.png")));

        // the saved model records its data; a resume with other data names the option that differs
        SavedModel model = SavedModel.read(out.resolve("model.klm"));
        assertEquals(DataFormat.SYNTHETIC, model.data().format());
        assertEquals(16, model.data().trainSize());
        r = train(out, "--resume", "--train-size", "12");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--train-size 16 in the checkpoint, 12 now"), r.err());
        assertFalse(r.err().contains("\n  checkpoint:"), "no dump of both option records: " + r.err());

        // a model trained on CIFAR-10 is evaluated on its recorded CIFAR-10 files, never on synthetic images
        Path cifarModel = out.resolve("cifar.klm");
        Path missing = dir.resolve("no-cifar-here");
        new SavedModel(model.architecture(), model.normalizationMean(), model.normalizationStd(),
                model.priorPrecisions(), model.eta(), model.state(), new DataSource(DataFormat.CIFAR,
                List.of(missing.toString()), List.of(), LikelihoodType.CLASSIFICATION, null, ',', false, 0.2, 1,
                null, null, null), null).write(cifarModel);
        r = MainTest.run("evaluate", "--quiet", "-m", cifarModel.toString(), "--out",
                dir.resolve("eval").toString());
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        assertTrue(r.err().contains(missing.toString()), r.err());
    }

    @Test
    void augmentationMagnitudesThatNoUpdateMovedAreNotCalledLearned() throws Exception {
        Path out = dir.resolve("augmented");
        MainTest.Run r = train(out, "--aug-samples", "2");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String markdown = Files.readString(out.resolve("report.md"));
        assertTrue(markdown.contains("Augmentation |eta| (its start, no update ran):"), markdown);
        assertTrue(markdown.contains("at the model's augmentation magnitudes"), markdown);
        assertFalse(markdown.contains("Learned augmentation"), markdown);
        assertFalse(markdown.contains("learned magnitudes"), markdown);
    }

    @Test
    void trainingTimeCountsEveryEpochOfTheCheckpointedHistory() {
        // epochs 1 and 2 ran in an earlier process, epoch 3 in this one: all of them count
        List<EpochSummary> history = List.of(epoch(1, 2.0, 0), epoch(2, 3.0, 0.25), epoch(3, 4.0, 0.5));
        TrainingResult result = new TrainingResult(history, 3, -1.0, Map.of(), new double[] {1}, new double[0], 1.0);
        assertEquals(9.75, TrainCommand.trainingSeconds(result), 1e-12);
    }

    private static EpochSummary epoch(int epoch, double trainSeconds, double marglikSeconds) {
        return new EpochSummary(epoch, 1.0, 0.5, 0.1, Double.NaN, new double[] {1}, new double[0], trainSeconds,
                marglikSeconds, 1.0, Double.NaN, Double.NaN);
    }
}
