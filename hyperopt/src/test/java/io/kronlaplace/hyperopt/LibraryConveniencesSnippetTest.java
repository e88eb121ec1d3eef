package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.InvariantPredictive;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.MapPredictive;
import io.kronlaplace.laplace.predictive.Predictive;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.DistributionShift;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.data.Split;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.EvaluationSuite;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The library-conveniences example of the README, compiled and run as written on a tiny network and data set (the
 * block between the markers is the README's text).
 */
class LibraryConveniencesSnippetTest {
    @Test
    void readmeExampleRuns() {
        Network net = TinyNets.conv(3, 10, 2, DataType.FLOAT);
        ImageDataset data = new SyntheticImages().generate("train", 40, 1);
        ImageDataset test = new SyntheticImages().generate("test", 12, 2);
        double[] eta = new double[AffineGenerator.COUNT];
        eta[AffineGenerator.ROTATION.ordinal()] = 0.5;
        // README snippet begins
        Split<ImageDataset> split = data.split(0.2, 7);                          // seeded train / validation split
        MapTrainer.Result fit = new MapTrainer(net, split.train(), split.validation(),
                OnlineMarglikOptions.builder().epochs(3).batchSize(16).learningRate(0.05).build(), 2)
                .train(TrainingListener.NONE);                                   // early stopping, best weights kept
        LaplacePosterior la = Laplace.create(net, LaplaceOptions.builder().build());      // K-FAC, last layer
        la.fit(split.train().asBatches(16));                                     // any SupervisedDataset as batches
        Predictive map = new MapPredictive(net);                                 // softmax / sigmoid / Gaussian
        Predictive laplace = new GlmPredictive(la);                              // the same interface
        Predictive invariant = InvariantPredictive.map(net, eta, 8, 1.0, 0);     // mean over 8 augmented copies
        ShiftedDataset turned = DistributionShift.randomRotations(test, 45, 3);  // each image its own angle
        EvaluationSuite suite = EvaluationSuite.builder(test).rotations(30, 60).shiftSubset(6, 3)
                .outOfDistribution(SyntheticImages.smoothNoise("noise", 12, 3, 32, 32, 10, 5)).build();
        EvaluationReport.Builder report = EvaluationReport.builder("conveniences");
        suite.evaluate("MAP", map::classify, report);
        GlmPredictive glm = new GlmPredictive(la);
        suite.evaluate(List.of("Laplace probit", "Laplace MC"), images -> {      // both links, one Jacobian pass
            GlmPredictive.BothLinks p = glm.classifyWithBothLinks(images, 100, 0);
            return List.of(p.probit(), p.monteCarlo());
        }, report);
        // README snippet ends
        assertTrue(fit.bestEpoch() >= 1 && fit.bestEpoch() <= 3);
        INDArray p = laplace.classify(turned.dataset().images());
        assertEquals(12, p.size(0));
        assertEquals(12, invariant.classify(test.images()).size(0));
        EvaluationReport built = report.build();
        assertEquals(List.of("MAP", "Laplace probit", "Laplace MC"), built.methods());
        assertEquals(9, built.classification().size());
        assertEquals(3, built.ood().size());
    }
}
