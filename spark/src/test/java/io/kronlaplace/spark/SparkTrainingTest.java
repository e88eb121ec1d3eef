package io.kronlaplace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.hyperopt.EpochSummary;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data-parallel online training on Spark equals single-machine training with the same global mini-batches: bit for
 * bit with one replica, and to float64 (1e-10) or float32 (1e-4) rounding with two replicas whose shards of a batch
 * are summed in another order; the gradient of a whole batch is taken by replicas computing uneven shards of its rows
 * (22 rows in batches of 8: the last batch splits 3 + 3). A barrier stage that fails once is rerun and still gives the
 * same result. Spark runs embedded on {@code local[2,2]}.
 */
class SparkTrainingTest {
    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = SparkContexts.create("local[2,2]", "SparkTrainingTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static ImageDataset images(DataType type) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 22, 1, 4, 4).castTo(type);
        int[] labels = new int[22];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i * 5 + 1) % 3;
        }
        return new ImageDataset("tiny", x, labels, 3);
    }

    /** Two epochs of three SGD steps, an MC-Fisher marginal-likelihood update after each. */
    private static OnlineMarglikOptions options() {
        return OnlineMarglikOptions.builder().epochs(2).batchSize(8).optimizer(OptimizerKind.SGD).learningRate(0.1)
                .marglikFrequency(1).burnIn(1).hypersteps(3).curvatureType(CurvatureType.MC_FISHER)
                .curvatureBatchSize(6).augmentationSamples(1).seed(11).build();
    }

    private static Network network(DataType type) {
        return SparkCurvatureTest.convNet(3, type);
    }

    private record Run(TrainingResult result, double[] weights) {
    }

    private static Run single(DataType type) {
        Network net = network(type);
        TrainingResult result = new OnlineMarglikTrainer(net, images(type), options()).train(TrainingListener.NONE);
        return new Run(result, net.flatParameters().castTo(DataType.DOUBLE).toDoubleVector());
    }

    private static Run distributed(DataType type, int replicas, NetworkFactory factory) {
        Network net = network(type);
        try (SparkTraining training = new SparkTraining(spark, replicas, factory, images(type), options())) {
            TrainingResult result = training.trainer(net).train(TrainingListener.NONE);
            return new Run(result, net.flatParameters().castTo(DataType.DOUBLE).toDoubleVector());
        }
    }

    private static void assertClose(double expected, double actual, double tolerance, String what) {
        assertTrue(Math.abs(expected - actual) <= tolerance * Math.max(1, Math.abs(expected)),
                what + ": expected " + expected + ", got " + actual);
    }

    private static void assertSameRun(Run expected, Run actual, double tolerance) {
        for (int i = 0; i < expected.weights().length; i++) {
            assertClose(expected.weights()[i], actual.weights()[i], tolerance, "weight " + i);
        }
        List<EpochSummary> a = expected.result().history();
        List<EpochSummary> b = actual.result().history();
        assertEquals(a.size(), b.size());
        for (int e = 0; e < a.size(); e++) {
            assertClose(a.get(e).trainLoss(), b.get(e).trainLoss(), tolerance, "loss of epoch " + (e + 1));
            assertEquals(a.get(e).trainAccuracy(), b.get(e).trainAccuracy(), "accuracy of epoch " + (e + 1));
            assertClose(a.get(e).logMarglik(), b.get(e).logMarglik(), tolerance, "log marglik of epoch " + (e + 1));
            assertEquals(a.get(e).learningRate(), b.get(e).learningRate());
        }
        double[] pa = expected.result().priorPrecisions();
        double[] pb = actual.result().priorPrecisions();
        for (int i = 0; i < pa.length; i++) {
            assertClose(pa[i], pb[i], tolerance, "prior precision " + i);
        }
        assertEquals(expected.result().bestEpoch(), actual.result().bestEpoch());
    }

    @Test
    void oneReplicaIsBitForBitTheSingleMachineTraining() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            Run expected = single(type);
            Run actual = distributed(type, 1, () -> network(type));
            assertArrayEquals(expected.weights(), actual.weights(), type.name());
            for (int e = 0; e < expected.result().history().size(); e++) {
                EpochSummary a = expected.result().history().get(e);
                EpochSummary b = actual.result().history().get(e);
                assertEquals(a.trainLoss(), b.trainLoss(), type + " loss");
                assertEquals(a.logMarglik(), b.logMarglik(), type + " log marglik");
                assertArrayEquals(a.priorPrecisions(), b.priorPrecisions(), type + " priors");
            }
        }
    }

    @Test
    void twoReplicasEqualTheSingleMachineTrainingUpToRounding() {
        assertSameRun(single(DataType.DOUBLE), distributed(DataType.DOUBLE, 2, () -> network(DataType.DOUBLE)),
                1e-10);
        assertSameRun(single(DataType.FLOAT), distributed(DataType.FLOAT, 2, () -> network(DataType.FLOAT)), 1e-4);
    }

    /** Fails replica 1's network in the first attempt of every barrier stage. */
    private static final AtomicInteger INJECTED = new AtomicInteger();

    @Test
    void aFailedBarrierStageIsRerunWithTheSameResult() {
        INJECTED.set(0);
        Run expected = distributed(DataType.DOUBLE, 2, () -> network(DataType.DOUBLE));
        Run actual = distributed(DataType.DOUBLE, 2, () -> {
            TaskContext task = TaskContext.get();
            if (task instanceof BarrierTaskContext && task.stageAttemptNumber() == 0 && task.partitionId() == 1) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure");
            }
            return network(DataType.DOUBLE);
        });
        assertTrue(INJECTED.get() > 0, "no failure was injected");
        assertArrayEquals(expected.weights(), actual.weights());
        assertEquals(expected.result().bestLogMarglik(), actual.result().bestLogMarglik());
    }

    @Test
    void badSettingsFailWithClearMessages() {
        ImageDataset data = images(DataType.DOUBLE);
        IllegalArgumentException augmented = assertThrows(IllegalArgumentException.class, () -> new SparkTraining(
                spark, 2, () -> network(DataType.DOUBLE), data, options().toBuilder().augmentationSamples(2).build()));
        assertTrue(augmented.getMessage().contains("augmentation"), augmented.getMessage());
        IllegalArgumentException slots = assertThrows(IllegalArgumentException.class, () -> new SparkTraining(
                spark, 3, () -> network(DataType.DOUBLE), data, options()));
        assertTrue(slots.getMessage().contains("3 data-parallel replicas"), slots.getMessage());
        try (SparkTraining training = new SparkTraining(spark, 2, () -> network(DataType.DOUBLE), data, options())) {
            IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                    () -> training.trainer(network(DataType.FLOAT)));
            assertTrue(type.getMessage().contains("FLOAT") && type.getMessage().contains("DOUBLE"),
                    type.getMessage());
        }
    }
}
