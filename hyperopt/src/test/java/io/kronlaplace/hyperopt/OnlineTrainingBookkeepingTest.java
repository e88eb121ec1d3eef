package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What online training keeps: the reported log marginal likelihood is that of a posterior fitted at the kept state
 * (weights, prior, and the eta after the augmentation steps), the result holds weights and hyperparameters of the same
 * epoch, the prior steps stop at the tolerance, and the augmentation magnitudes never pass through zero.
 */
class OnlineTrainingBookkeepingTest {
    private static ImageDataset images(int n) {
        ImageDataset raw = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1).generate("patterns", n, 11);
        return new ImageDataset(raw.name(), raw.images().castTo(DataType.DOUBLE), raw.labels(), raw.numClasses());
    }

    private static OnlineMarglikOptions.Builder options() {
        return OnlineMarglikOptions.builder().batchSize(8).learningRate(0.05).marglikFrequency(1).burnIn(1)
                .hypersteps(6).curvatureType(CurvatureType.GGN).flavour(KfacFlavour.REDUCE).curvatureBatchSize(7)
                .priorStructure(PriorStructure.LAYERWISE).initialPriorPrecision(0.7).hyperTolerance(0).seed(3);
    }

    private static List<Batch> batches(ImageDataset data) {
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < data.size(); from += 7) {
            ImageDataset part = ModelEvaluation.rows(data, from, Math.min(data.size(), from + 7));
            out.add(new Batch(part.images(), part.targets()));
        }
        return out;
    }

    private static int argmaxEpoch(List<EpochSummary> history) {
        EpochSummary best = null;
        for (EpochSummary s : history) {
            if (!Double.isNaN(s.logMarglik()) && (best == null || s.logMarglik() > best.logMarglik())) {
                best = s;
            }
        }
        return best.epoch();
    }

    @Test
    void resultHoldsWeightsAndHyperparametersOfTheBestEpochWhenItIsNotTheLast() {
        ImageDataset data = images(20);
        Network net = TinyNets.conv(3, 10, 7, DataType.DOUBLE);
        // with this large constant learning rate the third epoch's weights are worse than the second's
        OnlineMarglikOptions o = options().epochs(3).learningRate(0.3).schedule(ScheduleKind.CONSTANT).hypersteps(100)
                .build();
        OnlineMarglikTrainer trainer = new OnlineMarglikTrainer(net, data, o);
        TrainingResult result = trainer.train(TrainingListener.NONE);

        int best = argmaxEpoch(result.history());
        assertEquals(best, result.bestEpoch());
        assertTrue(best < o.epochs(), "this setting should peak before the last epoch: " + result.history());
        EpochSummary bestSummary = result.history().get(best - 1);
        assertEquals(bestSummary.logMarglik(), result.bestLogMarglik());
        assertArrayEquals(bestSummary.priorPrecisions(), result.priorPrecisions());
        assertFalse(java.util.Arrays.equals(trainer.prior().values(), result.priorPrecisions()),
                "the final prior differs from the best epoch's, so the test tells them apart");

        // an independent posterior at the loaded weights and the returned prior has the reported value
        LaplacePosterior reference = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL)
                .prior(PriorPrecision.perGroup(result.priorPrecisions())).flavour(KfacFlavour.REDUCE)
                .curvatureType(CurvatureType.GGN).build());
        reference.fit(batches(data).iterator());
        double expected = reference.logMarginalLikelihood();
        assertEquals(expected, result.bestLogMarglik(), 1e-9 * Math.abs(expected));
        for (Map.Entry<String, INDArray> e : NetworkState.capture(net).entrySet()) {
            assertEquals(result.bestState().get(e.getKey()), e.getValue(), e.getKey());
        }
    }

    @Test
    void valueAfterAugmentationStepsIsThatOfAFreshFitAtTheKeptEta() {
        ImageDataset data = images(12);
        Network net = TinyNets.conv(3, 10, 5, DataType.DOUBLE);
        OnlineMarglikOptions o = options().epochs(1).augmentationSamples(2).augmentationHypersteps(3)
                .augmentationBatchSize(4).augmentationLearningRate(0.3).initialAugmentation(0.2)
                .augmentedGenerators(EnumSet.of(AffineGenerator.ROTATION, AffineGenerator.X_SHIFT)).build();
        OnlineMarglikTrainer trainer = new OnlineMarglikTrainer(net, data, o);
        TrainingResult result = trainer.train(TrainingListener.NONE);
        double reported = result.history().get(0).logMarglik();

        LogHyperparameters layout = new LogHyperparameters(PriorPrecision.Kind.PER_GROUP,
                result.priorPrecisions().length, false);
        double[] hyper = PriorPrecision.perGroup(result.priorPrecisions()).logValues();
        AffineAugmentation kept = new AffineAugmentation(result.eta());
        double fresh = new MarglikUpdate(net, data, o, layout, kept, null).fitPosterior(1, hyper, TrainingListener.NONE)
                .marginalLikelihood(layout.prior(hyper), 1.0, 1.0).value();
        assertEquals(fresh, reported, 1e-9 * Math.abs(fresh));

        double[] entryEta = new double[AffineGenerator.COUNT];
        entryEta[AffineGenerator.ROTATION.ordinal()] = 0.2;
        entryEta[AffineGenerator.X_SHIFT.ordinal()] = 0.2;
        assertFalse(java.util.Arrays.equals(entryEta, result.eta()), "eta moved");
        double stale = new MarglikUpdate(net, data, o, layout, new AffineAugmentation(entryEta), null)
                .fitPosterior(1, hyper, TrainingListener.NONE).marginalLikelihood(layout.prior(hyper), 1.0, 1.0)
                .value();
        assertNotEquals(stale, reported, 1e-6 * Math.abs(stale));
    }

    @Test
    void augmentationMagnitudesStayPositiveAndUnlearnedGeneratorsStayOff() {
        ImageDataset data = images(12);
        // steps of 1.0 in log magnitude: the raw-eta parametrisation would cross zero with steps this large
        OnlineMarglikOptions o = options().epochs(2).augmentationSamples(2).augmentationHypersteps(6)
                .augmentationBatchSize(4).augmentationLearningRate(1.0).initialAugmentation(0.05)
                .augmentedGenerators(EnumSet.of(AffineGenerator.ROTATION)).build();
        TrainingResult result = new OnlineMarglikTrainer(TinyNets.conv(3, 10, 2, DataType.DOUBLE), data, o)
                .train(TrainingListener.NONE);
        for (EpochSummary s : result.history()) {
            for (AffineGenerator g : AffineGenerator.values()) {
                double m = s.augmentation()[g.ordinal()];
                if (g == AffineGenerator.ROTATION) {
                    assertTrue(m > 0 && Double.isFinite(m), "rotation magnitude " + m);
                } else {
                    assertEquals(0.0, m, g.name());
                }
            }
        }
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> options().augmentationSamples(2).initialAugmentation(0).build());
        assertTrue(zero.getMessage().contains("initial augmentation"), zero.getMessage());
    }

    @Test
    void listenerSeesEveryAugmentationStepWithItsMagnitudesAndGradient() {
        ImageDataset data = images(12);
        OnlineMarglikOptions o = options().epochs(2).augmentationSamples(2).augmentationHypersteps(3)
                .augmentationBatchSize(4).augmentationLearningRate(0.3).initialAugmentation(0.2)
                .augmentedGenerators(EnumSet.of(AffineGenerator.ROTATION)).build();
        List<double[][]> steps = new ArrayList<>();
        OnlineMarglikTrainer trainer = new OnlineMarglikTrainer(TinyNets.conv(3, 10, 2, DataType.DOUBLE), data, o);
        TrainingResult result = trainer.train(new TrainingListener() {
            @Override
            public void augmentationStepFinished(int epoch, int step, double[] magnitudes, double[] gradient,
                                                 double[] stepped) {
                assertEquals(steps.size() % 3, step);
                steps.add(new double[][] {magnitudes, gradient, stepped});
            }
        });
        // three eta steps in every update
        assertTrue(steps.size() >= 3 && steps.size() % 3 == 0, steps.size() + " steps");
        int rotation = AffineGenerator.ROTATION.ordinal();
        assertEquals(0.2, steps.get(0)[0][rotation], 1e-15);
        for (int k = 1; k < steps.size(); k++) {
            assertArrayEquals(steps.get(k - 1)[2], steps.get(k)[0], 0.0, "step " + k + " starts where the last ended");
        }
        // Adam's first step moves log |eta| by the learning rate in the direction of the gradient (ascent)
        double[] first = steps.get(0)[1];
        assertTrue(first[rotation] != 0.0);
        assertEquals(Math.log(0.2) + 0.3 * Math.signum(first[rotation]), Math.log(steps.get(0)[2][rotation]), 1e-6);
        assertEquals(0.0, steps.get(0)[2][AffineGenerator.SHEAR.ordinal()], 0.0);
        assertArrayEquals(steps.get(steps.size() - 1)[2], result.history().get(1).augmentation(), 0.0);
    }

    @Test
    void priorStepsStopOnceAStepChangesTheValueByLessThanTheTolerance() {
        ImageDataset data = images(12);
        int[] fixed = runSteps(data, 0);
        int[] tolerant = runSteps(data, 1e-3);
        assertEquals(40, fixed[0], "tolerance 0 takes all K steps");
        assertTrue(tolerant[0] < 40, "tolerance 1e-3 stops early, took " + tolerant[0]);
        assertTrue(MarglikUpdate.converged(-100.0, -100.0005, 1e-5));
        assertFalse(MarglikUpdate.converged(-100.0, -100.002, 1e-5));
        assertFalse(MarglikUpdate.converged(-100.0, Double.NaN, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> options().hyperTolerance(-1).build());
        assertThrows(IllegalArgumentException.class, () -> options().hyperTolerance(Double.NaN).build());
    }

    /** Hyper-steps taken in one update with K = 40 at the given tolerance. */
    private static int[] runSteps(ImageDataset data, double tolerance) {
        int[] steps = new int[1];
        TrainingListener count = new TrainingListener() {
            @Override
            public void hyperstepFinished(int epoch, int step, double logMarglik) {
                steps[0]++;
            }
        };
        new OnlineMarglikTrainer(TinyNets.conv(3, 10, 4, DataType.DOUBLE), data,
                options().epochs(1).hypersteps(40).hyperTolerance(tolerance).build()).train(count);
        return steps;
    }
}
