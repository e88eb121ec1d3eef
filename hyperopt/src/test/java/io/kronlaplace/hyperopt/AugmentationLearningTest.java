package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of learned rotation on synthetic images (rotation magnitude learned alone, starting at 0.1 rad): where
 * rotating an image keeps its label the marginal likelihood drives the magnitude well up; where rotation changes the
 * label (gratings whose class is their orientation, 54 degrees apart) it keeps it small.
 */
class AugmentationLearningTest {
    private static final double START = 0.1;

    private static double learnedRotation(ImageDataset raw, int classes) {
        ImageDataset train = ChannelNormalization.fit(raw).apply(raw);
        // burn-in first, so that the network has learned what the labels depend on before eta is tuned
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(6).batchSize(20).learningRate(0.1)
                .marglikFrequency(1).burnIn(3).hypersteps(10).augmentationHypersteps(10).augmentationSamples(4)
                .augmentationBatchSize(20).augmentationLearningRate(0.05).initialAugmentation(START)
                .augmentedGenerators(EnumSet.of(AffineGenerator.ROTATION)).curvatureBatchSize(100).seed(5).build();
        TrainingResult result = new OnlineMarglikTrainer(TinyNets.small(classes, 3), train, options)
                .train(TrainingListener.NONE);
        return Math.abs(result.eta()[AffineGenerator.ROTATION.ordinal()]);
    }

    @Test
    void rotationGrowsWhenLabelsAreRotationInvariant() {
        double rotation = learnedRotation(new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.05)
                .generate("patterns", 160, 4), 10);
        assertTrue(rotation > 3 * START, "learned rotation magnitude " + rotation + " (start " + START + ")");
    }

    @Test
    void rotationStaysSmallWhenRotationChangesTheLabel() {
        ImageDataset gratings = new SyntheticImages(SyntheticImages.Variant.ORIENTED_GRATINGS, 0.05)
                .generate("gratings", 800, 4);
        // two orientations 54 degrees apart: a rotation of a few tenths of a radian mixes them
        int[] keep = IntStream.range(0, gratings.size()).filter(i -> gratings.label(i) == 0 || gratings.label(i) == 3)
                .toArray();
        ImageDataset two = gratings.subset(keep);
        int[] labels = Arrays.stream(two.labels()).map(y -> y == 0 ? 0 : 1).toArray();
        double rotation = learnedRotation(new ImageDataset("gratings-0-54", two.images(), labels, 2), 2);
        assertTrue(rotation < 2 * START, "learned rotation magnitude " + rotation + " (start " + START + ")");
    }
}
