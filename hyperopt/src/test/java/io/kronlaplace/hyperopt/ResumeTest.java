package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** An interrupted and resumed run equals the uninterrupted run exactly. */
class ResumeTest {
    @TempDir
    Path dir;

    private final ImageDataset data = new SyntheticImages().generate("train", 16, 3);

    private static OnlineMarglikOptions options() {
        return OnlineMarglikOptions.builder().epochs(3).batchSize(8).marglikFrequency(1).burnIn(1).hypersteps(3)
                .augmentationSamples(2).augmentationBatchSize(4).augmentationHypersteps(1).curvatureBatchSize(16)
                .learningRate(0.05).seed(11).build();
    }

    /** Thrown by a listener to simulate a crash right after a checkpoint was written. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void interruptedAndResumedRunEqualsUninterruptedRun() throws Exception {
        Network straightNet = TinyNets.conv(3, 10, 1, DataType.FLOAT);
        TrainingResult straight = new OnlineMarglikTrainer(straightNet, data, options())
                .train(dir.resolve("straight.ckpt"), false, TrainingListener.NONE);

        Path ckpt = dir.resolve("interrupted.ckpt");
        Network first = TinyNets.conv(3, 10, 1, DataType.FLOAT);
        assertThrows(Crash.class, () -> new OnlineMarglikTrainer(first, data, options()).train(ckpt, false,
                new TrainingListener() {
                    @Override
                    public void epochFinished(EpochSummary summary) {
                        if (summary.epoch() == 2) {
                            throw new Crash();
                        }
                    }
                }));
        // a different initialisation: everything must come from the checkpoint
        Network resumedNet = TinyNets.conv(3, 10, 99, DataType.FLOAT);
        OnlineMarglikTrainer resumedTrainer = new OnlineMarglikTrainer(resumedNet, data, options());
        TrainingResult resumed = resumedTrainer.train(ckpt, true, TrainingListener.NONE);

        for (String name : straightNet.parameters().keySet()) {
            assertArrayEquals(straightNet.parameter(name).value().dup().data().asFloat(),
                    resumedNet.parameter(name).value().dup().data().asFloat(), name);
        }
        assertEquals(straight.bestEpoch(), resumed.bestEpoch());
        assertEquals(straight.bestLogMarglik(), resumed.bestLogMarglik());
        assertArrayEquals(straight.priorPrecisions(), resumed.priorPrecisions());
        assertArrayEquals(straight.eta(), resumed.eta());
        List<EpochSummary> a = straight.history();
        List<EpochSummary> b = resumed.history();
        assertEquals(3, b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), "epoch " + (i + 1));
            assertEquals(a.get(i).logMarglik(), b.get(i).logMarglik(), "epoch " + (i + 1));
            assertArrayEquals(a.get(i).priorPrecisions(), b.get(i).priorPrecisions());
            assertArrayEquals(a.get(i).augmentation(), b.get(i).augmentation());
        }
        assertTrue(Double.isFinite(a.get(2).logMarglik()));
    }

    @Test
    void resumingWithOtherOptionsIsRefused() throws Exception {
        Path ckpt = dir.resolve("run.ckpt");
        OnlineMarglikOptions two = options().toBuilder().epochs(1).build();
        new OnlineMarglikTrainer(TinyNets.conv(3, 10, 1, DataType.FLOAT), data, two)
                .train(ckpt, false, TrainingListener.NONE);
        OnlineMarglikTrainer other = new OnlineMarglikTrainer(TinyNets.conv(3, 10, 1, DataType.FLOAT), data,
                two.toBuilder().learningRate(0.01).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.train(ckpt, true, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("learningRate 0.05 in the checkpoint, 0.01 now"), e.getMessage());
        assertFalse(e.getMessage().contains("epochs"), "only the differing field is named: " + e.getMessage());
    }

    @Test
    void resumingWithOtherDataIsRefusedNamingTheDataOption() throws Exception {
        Path ckpt = dir.resolve("data.ckpt");
        OnlineMarglikOptions one = options().toBuilder().epochs(1)
                .dataSource("source=synthetic; --train-size=16; --data-seed=1").build();
        new OnlineMarglikTrainer(TinyNets.conv(3, 10, 1, DataType.FLOAT), data, one)
                .train(ckpt, false, TrainingListener.NONE);
        OnlineMarglikTrainer other = new OnlineMarglikTrainer(TinyNets.conv(3, 10, 1, DataType.FLOAT), data,
                one.toBuilder().dataSource("source=synthetic; --train-size=16; --data-seed=2").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.train(ckpt, true, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("--data-seed 1 in the checkpoint, 2 now"), e.getMessage());
        assertFalse(e.getMessage().contains("--train-size"), e.getMessage());
    }

    @Test
    void missingCheckpointIsNoSuchFile() {
        OnlineMarglikTrainer t = new OnlineMarglikTrainer(TinyNets.conv(3, 10, 1, DataType.FLOAT), data, options());
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> t.train(dir.resolve("absent.ckpt"), true, TrainingListener.NONE));
        assertTrue(Files.notExists(dir.resolve("absent.ckpt")));
    }
}
