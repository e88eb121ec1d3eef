package io.kronlaplace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.MarginalLikelihood;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The distributed curvature pass equals the single-machine fit on the same batches for 1, 2 and 3 partitions
 * (float64 to 1e-12 relative, float32 to 1e-6), survives a failed task, and reports bad input as the single-machine
 * path does. Spark runs embedded on {@code local[2,2]}: two threads, a failed task is retried once.
 */
class SparkCurvatureTest {
    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = SparkContexts.create("local[2,2]", "SparkCurvatureTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A small conv net (EXPAND and REDUCE differ on its conv layer). */
    static Network convNet(long seed, DataType type) {
        Init init = new Init(seed, type, Init.Scheme.XAVIER_NORMAL);
        return new Network(new Sequential(new Conv2d(1, 2, 3, 1, 1, true, init), new ReLU(), new Flatten(),
                new Linear(2 * 4 * 4, 3, true, init)));
    }

    static List<Batch> batches(long seed, int count, int rows, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            INDArray x = Nd4j.randn(DataType.DOUBLE, rows, 1, 4, 4).castTo(type);
            long[] y = new long[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = (b * 7L + i * 3L) % 3;
            }
            out.add(new Batch(x, Nd4j.createFromArray(y)));
        }
        return out;
    }

    private static LaplaceOptions options(CurvatureType type, KfacFlavour flavour) {
        return LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.CLASSIFICATION).prior(PriorPrecision.scalar(0.5)).flavour(flavour)
                .curvatureType(type).mcSamples(2).build();
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    }

    /** Largest relative difference of the log marginal likelihood, its gradients and the predictive variances. */
    private static double difference(LaplacePosterior got, LaplacePosterior want, INDArray probe) {
        MarginalLikelihood g = got.marginalLikelihood();
        MarginalLikelihood w = want.marginalLikelihood();
        double worst = Math.max(relative(g.value(), w.value()),
                relative(g.logTemperatureGradient(), w.logTemperatureGradient()));
        for (int i = 0; i < w.logPriorGradient().length; i++) {
            worst = Math.max(worst, relative(g.logPriorGradient()[i], w.logPriorGradient()[i]));
        }
        INDArray vg = got.functionalPrediction(probe).covariance();
        INDArray vw = want.functionalPrediction(probe).covariance();
        worst = Math.max(worst, vg.sub(vw).norm2Number().doubleValue() / vw.norm2Number().doubleValue());
        return worst;
    }

    private static LaplacePosterior singleMachine(Network net, LaplaceOptions options, List<Batch> batches) {
        LaplacePosterior p = Laplace.create(net, options);
        p.fit(batches.iterator());
        return p;
    }

    @Test
    void float64EqualsTheSingleMachineFitForOneTwoAndThreePartitions() {
        Network net = convNet(1, DataType.DOUBLE);
        NetworkFactory factory = () -> convNet(99, DataType.DOUBLE);
        List<Batch> data = batches(2, 5, 4, DataType.DOUBLE);
        INDArray probe = batches(3, 1, 3, DataType.DOUBLE).get(0).inputs();
        for (CurvatureType type : CurvatureType.values()) {
            for (KfacFlavour flavour : KfacFlavour.values()) {
                LaplaceOptions options = options(type, flavour);
                LaplacePosterior reference = singleMachine(net, options, data);
                for (int partitions = 1; partitions <= 3; partitions++) {
                    KronLaplace distributed = new SparkCurvature(spark, partitions).fit(factory, net, options, data);
                    double d = difference(distributed, reference, probe);
                    assertTrue(d < 1e-12, type + " " + flavour + " on " + partitions + " partitions: " + d);
                }
            }
        }
    }

    @Test
    void tunedPriorsOnTheDriverEqualTheSingleMachineTuning() {
        Network net = convNet(4, DataType.DOUBLE);
        List<Batch> data = batches(5, 4, 4, DataType.DOUBLE);
        LaplaceOptions options = options(CurvatureType.GGN, KfacFlavour.REDUCE);
        LaplacePosterior reference = singleMachine(net, options, data);
        double want = MarginalLikelihoodTuner.priorOnly().tune(reference).prior().value(0);
        KronLaplace distributed = new SparkCurvature(spark, 3).fit(() -> convNet(0, DataType.DOUBLE), net, options,
                data);
        double got = MarginalLikelihoodTuner.priorOnly().tune(distributed).prior().value(0);
        assertTrue(relative(got, want) < 1e-10, got + " vs " + want);
    }

    @Test
    void float32EqualsTheSingleMachineFitToFloatPrecision() {
        Network net = convNet(6, DataType.FLOAT);
        List<Batch> data = batches(7, 5, 4, DataType.FLOAT);
        INDArray probe = batches(8, 1, 3, DataType.FLOAT).get(0).inputs();
        for (KfacFlavour flavour : KfacFlavour.values()) {
            LaplaceOptions options = options(CurvatureType.MC_FISHER, flavour);
            LaplacePosterior reference = singleMachine(net, options, data);
            for (int partitions = 1; partitions <= 3; partitions++) {
                KronLaplace distributed = new SparkCurvature(spark, partitions)
                        .fit(() -> convNet(0, DataType.DOUBLE), net, options, data);
                double d = difference(distributed, reference, probe);
                assertTrue(d < 1e-6, flavour + " on " + partitions + " partitions: " + d);
            }
        }
    }

    @Test
    void aFailedTaskIsRetriedAndTheResultIsStillExact() {
        Network net = convNet(9, DataType.DOUBLE);
        List<Batch> data = batches(10, 4, 4, DataType.DOUBLE);
        LaplaceOptions options = options(CurvatureType.MC_FISHER, KfacFlavour.EXPAND);
        NetworkFactory failsFirst = () -> {
            if (TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("injected failure of the first attempt");
            }
            return convNet(0, DataType.DOUBLE);
        };
        KronLaplace distributed = new SparkCurvature(spark, 2).fit(failsFirst, net, options, data);
        double d = difference(distributed, singleMachine(net, options, data), data.get(0).inputs());
        assertTrue(d < 1e-12, "after a retry: " + d);
    }

    @Test
    void badInputGivesTheSingleMachineErrors() {
        Network net = convNet(11, DataType.DOUBLE);
        NetworkFactory factory = () -> convNet(0, DataType.DOUBLE);
        LaplaceOptions options = options(CurvatureType.GGN, KfacFlavour.REDUCE);
        SparkCurvature curvature = new SparkCurvature(spark, 2);

        List<Batch> withNan = batches(12, 3, 2, DataType.DOUBLE);
        withNan.get(2).inputs().putScalar(new long[] {1, 0, 2, 2}, Double.NaN);
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> singleMachine(net, options, withNan));
        IllegalArgumentException distributed = assertThrows(IllegalArgumentException.class,
                () -> curvature.fit(factory, net, options, withNan));
        assertEquals(single.getMessage(), distributed.getMessage());

        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> curvature.fit(factory, net, options, List.of()));
        IllegalArgumentException emptySingle = assertThrows(IllegalArgumentException.class,
                () -> singleMachine(net, options, List.of()));
        assertEquals(emptySingle.getMessage(), empty.getMessage());

        LaplaceOptions diag = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.DIAG).build();
        IllegalArgumentException structure = assertThrows(IllegalArgumentException.class,
                () -> curvature.fit(factory, net, diag, batches(13, 1, 2, DataType.DOUBLE)));
        assertTrue(structure.getMessage().contains("KRON"), structure.getMessage());

        NetworkFactory other = () -> new Network(new Linear(16, 3, true,
                new Init(0, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL)));
        IllegalArgumentException architecture = assertThrows(IllegalArgumentException.class,
                () -> curvature.fit(other, net, options, batches(14, 2, 2, DataType.DOUBLE)));
        assertTrue(architecture.getMessage().contains("another architecture"), architecture.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new SparkCurvature(spark, 0));
    }
}
