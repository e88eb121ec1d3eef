package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MAP training with early stopping keeps the weights of the epoch with the lowest validation loss, checked by
 * recomputing that loss by hand, and stops exactly {@code patience} epochs after it.
 */
class MapTrainerTest {
    private static ImageDataset images(int n, long seed) {
        ImageDataset raw = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1).generate("patterns", n, seed);
        return new ImageDataset(raw.name(), raw.images().castTo(DataType.DOUBLE), raw.labels(), raw.numClasses());
    }

    /** The mean cross-entropy of the network on the data, from the softmax written out. */
    private static double meanCrossEntropy(Network net, ImageDataset data) {
        INDArray f = net.forward(data.images(), Mode.EVAL);
        double sum = 0;
        for (int n = 0; n < data.size(); n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < f.size(1); c++) {
                max = Math.max(max, f.getDouble(n, c));
            }
            double z = 0;
            for (int c = 0; c < f.size(1); c++) {
                z += Math.exp(f.getDouble(n, c) - max);
            }
            sum += max + Math.log(z) - f.getDouble(n, data.label(n));
        }
        return sum / data.size();
    }

    @Test
    void keepsTheBestValidationEpochAndStopsAfterThePatience() {
        ImageDataset train = images(16, 1);
        ImageDataset validation = images(8, 2);
        Network net = TinyNets.conv(3, 10, 4, DataType.DOUBLE);
        // a large rate makes the validation loss rise again within a few epochs
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(12).batchSize(8).learningRate(0.5)
                .initialPriorPrecision(1e-3).seed(3).build();
        List<Integer> finished = new ArrayList<>();
        MapTrainer.Result result = new MapTrainer(net, train, validation, options, 2)
                .train(new TrainingListener() {
                    @Override
                    public void epochFinished(EpochSummary summary) {
                        finished.add(summary.epoch());
                    }
                });
        double[] losses = result.validationLosses();
        int argmin = 0;
        for (int e = 1; e < losses.length; e++) {
            argmin = losses[e] < losses[argmin] ? e : argmin;
        }
        assertEquals(argmin + 1, result.bestEpoch());
        assertEquals(Math.min(12, result.bestEpoch() + 2), result.epochsRun());
        assertEquals(result.epochsRun(), finished.size());
        assertEquals(meanCrossEntropy(net, validation), result.bestValidationLoss(), 1e-10);
        assertTrue(losses[0] > result.bestValidationLoss() || result.bestEpoch() == 1);
    }

    @Test
    void badSettingsAreRejected() {
        ImageDataset train = images(8, 1);
        Network net = TinyNets.conv(3, 10, 4, DataType.DOUBLE);
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(2).batchSize(4).build();
        assertThrows(IllegalArgumentException.class, () -> new MapTrainer(net, train, train, options, 0));
        assertThrows(IllegalArgumentException.class, () -> new MapTrainer(net, train, train.subset(new int[0]),
                options, 1));
        assertThrows(IllegalArgumentException.class, () -> new MapTrainer(net, train, train,
                options.toBuilder().augmentationSamples(2).build(), 1));
    }
}
