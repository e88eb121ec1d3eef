package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.MarginalLikelihood;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.Tanh;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Online training is a user of the Laplace posterior: the log marginal likelihood it reports and the gradients it
 * steps on are those of a {@link KronLaplace} fitted independently on the same weights and data; for regression it
 * learns the observation noise.
 */
class OnlineTrainingPosteriorTest {
    private static final int N = 12;

    private static ImageDataset images() {
        INDArray x = new Init(31, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL).normal(new long[] {N, 2, 6, 6}, 1.0);
        int[] labels = new int[N];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < N; i++) {
            labels[i] = r.nextInt(3);
        }
        return new ImageDataset("tiny", x, labels, 3);
    }

    private static OnlineMarglikOptions.Builder classification() {
        return OnlineMarglikOptions.builder().epochs(1).batchSize(4).learningRate(0.05).marglikFrequency(1).burnIn(1)
                .hypersteps(5).curvatureType(CurvatureType.GGN).flavour(KfacFlavour.REDUCE).curvatureBatchSize(5)
                .priorStructure(PriorStructure.LAYERWISE).initialPriorPrecision(0.7).seed(3);
    }

    /** The whole data set in batches of 5, for an independent fit. */
    private static List<Batch> batches(INDArray x, INDArray y) {
        List<Batch> out = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += 5) {
            org.nd4j.linalg.indexing.INDArrayIndex rows = NDArrayIndex.interval(from, Math.min(x.size(0), from + 5));
            out.add(new Batch(x.get(rows, NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup(),
                    y.get(rows).dup()));
        }
        return out;
    }

    @Test
    void reportedLogMarginalLikelihoodAndItsGradientsAreThoseOfAnIndependentlyFittedPosterior() {
        ImageDataset data = images();
        Network net = TinyNets.conv(2, 3, 7, DataType.DOUBLE);
        OnlineMarglikOptions options = classification().build();
        TrainingResult result = new OnlineMarglikTrainer(net, data, options).train(TrainingListener.NONE);
        double reported = result.history().get(0).logMarglik();

        // the only update was at the end of the only epoch, so the network holds the weights it was computed at
        PriorPrecision learned = PriorPrecision.perGroup(result.priorPrecisions());
        LaplacePosterior reference = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).prior(learned)
                .flavour(KfacFlavour.REDUCE).curvatureType(CurvatureType.GGN).build());
        reference.fit(batches(data.images(), data.targets()).iterator());
        double expected = reference.logMarginalLikelihood();
        assertEquals(expected, reported, 1e-10 * Math.abs(expected));

        LogHyperparameters layout = new LogHyperparameters(PriorPrecision.Kind.PER_GROUP, 6, false);
        double[] hyper = learned.logValues();
        KronLaplace trainers = new MarglikUpdate(net, data, options, layout, null, null).fitPosterior(1, hyper,
                TrainingListener.NONE);
        MarginalLikelihood ours = trainers.marginalLikelihood(layout.prior(hyper), 1.0, 1.0);
        MarginalLikelihood theirs = reference.marginalLikelihood();
        assertEquals(theirs.value(), ours.value(), 1e-10 * Math.abs(theirs.value()));
        double scale = java.util.Arrays.stream(theirs.logPriorGradient()).map(Math::abs).max().orElse(1);
        assertArrayEquals(theirs.logPriorGradient(), ours.logPriorGradient(), 1e-10 * scale);
    }

    /** y = sin(x) + 0.3 eps on x in [-2, 2]. */
    private static RegressionDataset noisySine(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -2 + 4.0 * i / (n - 1);
            double u1 = 1 - r.nextDouble();
            double u2 = r.nextDouble();
            y[i] = Math.sin(x[i]) + 0.3 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
        return new RegressionDataset("sine", Nd4j.createFromArray(x).reshape(n, 1), Nd4j.createFromArray(y));
    }

    private static Network mlp(long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Linear(1, 16, true, init), new Tanh(), new Linear(16, 1, true, init)));
    }

    private static OnlineMarglikOptions.Builder regression() {
        return OnlineMarglikOptions.builder().likelihood(LikelihoodType.REGRESSION).initialSigma(1.0)
                .optimizer(OptimizerKind.ADAM).learningRate(0.02).schedule(ScheduleKind.CONSTANT).batchSize(16)
                .curvatureType(CurvatureType.GGN).curvatureBatchSize(32).hypersteps(50).seed(2);
    }

    @Test
    void sigmaGradientOfTheTrainersPosteriorMatchesFiniteDifferences() {
        RegressionDataset data = noisySine(40, 8);
        Network net = mlp(5);
        OnlineMarglikOptions options = regression().build();
        LogHyperparameters layout = new LogHyperparameters(PriorPrecision.Kind.PER_GROUP, 4, true);
        double[] hyper = {0.1, -0.3, 0.4, 0.2, Math.log(0.6)};
        KronLaplace posterior = new MarglikUpdate(net, data, options, layout, null, null).fitPosterior(1, hyper,
                TrainingListener.NONE);
        PriorPrecision prior = layout.prior(hyper);
        double h = 1e-5;
        double fd = (posterior.marginalLikelihood(prior, Math.exp(hyper[4] + h), 1.0).value()
                - posterior.marginalLikelihood(prior, Math.exp(hyper[4] - h), 1.0).value()) / (2 * h);
        double exact = layout.gradient(posterior.marginalLikelihood(prior, layout.sigma(hyper), 1.0))[4];
        assertEquals(fd, exact, 1e-6 * Math.max(1, Math.abs(fd)));
    }

    @Test
    void regressionLearnsTheNoiseAndRaisesTheMarginalLikelihood() {
        RegressionDataset data = noisySine(64, 12);
        OnlineMarglikOptions options = regression().epochs(60).marglikFrequency(5).burnIn(5).build();
        TrainingResult result = new OnlineMarglikTrainer(mlp(9), data, options).train(TrainingListener.NONE);
        List<Double> values = result.history().stream().map(EpochSummary::logMarglik).filter(v -> !v.isNaN())
                .toList();
        assertEquals(12, values.size());
        assertTrue(values.get(values.size() - 1) > values.get(0), "log marginal likelihood " + values);
        double sigma = result.sigma();
        assertTrue(Math.abs(sigma - 0.3) < 0.5 * Math.abs(1.0 - 0.3), "learned sigma " + sigma + " (noise 0.3)");
    }

    @Test
    void augmentationNeedsImageInputs() {
        RegressionDataset table = noisySine(8, 1);
        IllegalArgumentException regression = assertThrows(IllegalArgumentException.class,
                () -> regression().augmentationSamples(2).build());
        assertTrue(regression.getMessage().contains("image classification"), regression.getMessage());
        IllegalArgumentException sigma = assertThrows(IllegalArgumentException.class,
                () -> classification().initialSigma(0.5).build());
        assertTrue(sigma.getMessage().contains("sigma must be 1"), sigma.getMessage());
        SupervisedDataset<?> labelledTable = new LabelledRows(table.features(), new long[8]);
        IllegalArgumentException images = assertThrows(IllegalArgumentException.class,
                () -> new OnlineMarglikTrainer(mlp(1), labelledTable, classification().augmentationSamples(2)
                        .build()));
        assertTrue(images.getMessage().contains("image inputs"), images.getMessage());
    }

    /** Class-labelled rows of features: a supervised data set whose inputs are not images. */
    private record LabelledRows(INDArray inputs, long[] labels) implements SupervisedDataset<LabelledRows> {
        @Override
        public String name() {
            return "rows";
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public INDArray targets() {
            return Nd4j.createFromArray(labels);
        }

        @Override
        public LabelledRows subset(int[] indices) {
            long[] picked = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                picked[i] = labels[indices[i]];
            }
            return new LabelledRows(Nd4j.pullRows(inputs, 1, indices), picked);
        }
    }
}
