package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The per-epoch test evaluation records the point estimate's test accuracy and NLL (checked against a log-softmax
 * computed here from the logits) and leaves training unchanged.
 */
class EpochTestEvaluationTest {
    private static ImageDataset images(String name, int n, long seed) {
        ImageDataset raw = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1).generate(name, n, seed);
        return new ImageDataset(raw.name(), raw.images().castTo(DataType.DOUBLE), raw.labels(), raw.numClasses());
    }

    private static TrainingResult train(Network net, EpochTestEvaluation evaluation) {
        // burn-in after the last epoch: no marginal-likelihood update, the last epoch's weights are kept
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(2).batchSize(8).learningRate(0.05)
                .burnIn(10).curvatureType(CurvatureType.GGN).flavour(KfacFlavour.REDUCE).seed(3).build();
        OnlineMarglikTrainer trainer = new OnlineMarglikTrainer(net, images("train", 24, 11), options);
        trainer.evaluateAfterEachEpoch(evaluation);
        return trainer.train(TrainingListener.NONE);
    }

    @Test
    void recordsTestAccuracyAndNllOfEachEpochWithoutChangingTraining() {
        ImageDataset test = images("test", 10, 12);
        Network net = TinyNets.conv(3, 10, 2, DataType.DOUBLE);
        // batches of 3 over 10 images: the last batch is short
        TrainingResult evaluated = train(net, EpochTestEvaluation.classification(test, 3));
        TrainingResult plain = train(TinyNets.conv(3, 10, 2, DataType.DOUBLE), EpochTestEvaluation.NONE);

        double[][] logits = net.forward(test.images(), Mode.EVAL).castTo(DataType.DOUBLE).toDoubleMatrix();
        int correct = 0;
        double nll = 0;
        for (int i = 0; i < logits.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            int argmax = -1;
            for (int c = 0; c < logits[i].length; c++) {
                if (logits[i][c] > max) {
                    max = logits[i][c];
                    argmax = c;
                }
            }
            double sum = 0;
            for (double z : logits[i]) {
                sum += Math.exp(z - max);
            }
            nll += max + Math.log(sum) - logits[i][test.label(i)];
            correct += argmax == test.label(i) ? 1 : 0;
        }
        EpochSummary last = evaluated.history().get(1);
        assertEquals((double) correct / test.size(), last.testAccuracy(), 0);
        assertEquals(nll / test.size(), last.testNll(), 1e-12);

        EpochSummary first = evaluated.history().get(0);
        assertTrue(first.testAccuracy() >= 0 && first.testAccuracy() <= 1 && first.testNll() > 0, first.toString());
        List<EpochSummary> without = plain.history();
        for (int e = 0; e < 2; e++) {
            assertEquals(without.get(e).trainLoss(), evaluated.history().get(e).trainLoss(), 0,
                    "the evaluation changed training in epoch " + (e + 1));
            assertTrue(Double.isNaN(without.get(e).testAccuracy()) && Double.isNaN(without.get(e).testNll()));
        }
    }

    @Test
    void rejectsAnEmptyTestSetOrBatch() {
        ImageDataset test = images("test", 4, 12);
        assertThrows(IllegalArgumentException.class, () -> EpochTestEvaluation.classification(test, 0));
        assertThrows(IllegalArgumentException.class,
                () -> EpochTestEvaluation.classification(ModelEvaluation.rows(test, 0, 0), 4));
    }
}
