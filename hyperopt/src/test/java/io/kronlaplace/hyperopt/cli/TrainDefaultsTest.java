package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import picocli.CommandLine;

/**
 * The options {@code kronlaplace train} trains with when options are left out: the demo's schedule on synthetic
 * images (chosen by the runs in docs/online-training.md, section The demo) and the paper's on CIFAR-10. Options
 * only: nothing is trained.
 */
class TrainDefaultsTest {
    private static OnlineMarglikOptions parsed(String... args) throws IOException {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs(args);
        return train.imageOptions(train.formats.resolve(train.data));
    }

    @Test
    void theDemoWithoutArgumentsTrainsWithAdamAndThreeUpdates() throws IOException {
        OnlineMarglikOptions o = parsed();
        assertEquals(30, o.epochs());
        assertEquals(64, o.batchSize());
        assertEquals(OptimizerKind.ADAM, o.optimizer());
        assertEquals(0.003, o.learningRate());
        assertEquals(10, o.marglikFrequency());
        assertEquals(10, o.burnIn());
        // updates at epochs 10, 20 and 30 only: an update costs several epochs' time
        int updates = 0;
        for (int e = 1; e <= o.epochs(); e++) {
            updates += o.marglikEpoch(e) ? 1 : 0;
        }
        assertEquals(3, updates);
        assertTrue(o.marglikEpoch(o.epochs()), "the last epoch ends with an update");
        assertEquals(2, o.augmentationSamples());
        assertEquals(0.2, o.augmentationLearningRate());
        assertEquals(EnumSet.allOf(AffineGenerator.class), o.augmentedGenerators());
        // a start of 0.5 rad, where the rotation gradient stands out of its mini-batch noise, and batches of 32
        assertEquals(0.5, o.initialAugmentation());
        assertEquals(6, o.augmentationHypersteps());
        assertEquals(32, o.augmentationBatchSize());
    }

    @Test
    void theAugmentationStartAndBatchOfTheDemoAreItsOwn() throws IOException {
        OnlineMarglikOptions cifar = parsed("--data-dir", "cifar", "--aug-samples", "2");
        assertEquals(0.1, cifar.initialAugmentation());
        assertEquals(16, cifar.augmentationBatchSize());
        assertEquals(20, cifar.augmentationHypersteps());
        // the gratings' classes lie 18 degrees apart: their magnitudes start small
        assertEquals(0.1, parsed("--synthetic-variant", "ORIENTED_GRATINGS").initialAugmentation());
        assertEquals(0.5, parsed("--synthetic-variant", "UPRIGHT_PATTERNS").initialAugmentation());
        OnlineMarglikOptions given = parsed("--aug-init", "0.2", "--aug-batch-size", "8", "--aug-hypersteps", "3");
        assertEquals(0.2, given.initialAugmentation());
        assertEquals(8, given.augmentationBatchSize());
        assertEquals(3, given.augmentationHypersteps());
    }

    @Test
    void cifarKeepsThePapersSgdSchedule() throws IOException {
        OnlineMarglikOptions o = parsed("--data-dir", "cifar");
        assertEquals(100, o.epochs());
        assertEquals(128, o.batchSize());
        assertEquals(OptimizerKind.SGD, o.optimizer());
        assertEquals(0.1, o.learningRate());
        assertEquals(5, o.marglikFrequency());
        assertEquals(20, o.burnIn());
        assertEquals(0, o.augmentationSamples());
    }

    @Test
    void theLearningRateDefaultFollowsTheOptimizerUnlessGiven() throws IOException {
        assertEquals(0.1, parsed("--optimizer", "SGD").learningRate());
        assertEquals(0.003, parsed("--data-dir", "cifar", "--optimizer", "ADAM").learningRate());
        assertEquals(0.05, parsed("--optimizer", "SGD", "--lr", "0.05").learningRate());
        assertEquals(0.01, parsed("--lr", "0.01").learningRate());
    }
}
