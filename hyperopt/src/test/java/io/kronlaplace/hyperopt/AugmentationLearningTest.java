package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of learned augmentation on synthetic images: where rotating an image keeps its label the marginal
 * likelihood drives the rotation magnitude up; where rotation changes the label it keeps it small.
 */
class AugmentationLearningTest {
    private static final double START = 0.1;

    private static double learnedRotation(SyntheticImages.Variant variant) {
        ImageDataset raw = new SyntheticImages(variant, 0.05).generate("train", 200, 4);
        ImageDataset train = ChannelNormalization.fit(raw).apply(raw);
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(6).batchSize(25).learningRate(0.1)
                .marglikFrequency(1).burnIn(2).hypersteps(10).augmentationHypersteps(10).augmentationSamples(4)
                .augmentationBatchSize(25).augmentationLearningRate(0.05).initialAugmentation(START)
                .augmentedGenerators(java.util.EnumSet.of(AffineGenerator.ROTATION))
                .curvatureBatchSize(100).seed(5).build();
        OnlineMarglikTrainer trainer = new OnlineMarglikTrainer(TinyNets.small(10, 3), train, options);
        TrainingResult result = trainer.train(new TrainingListener() {
            @Override
            public void epochFinished(EpochSummary s) {
                System.out.printf("AUG %s epoch %d loss %.3f acc %.3f logML %.1f eta %s%n", variant, s.epoch(),
                        s.trainLoss(), s.trainAccuracy(), s.logMarglik(), java.util.Arrays.toString(s.augmentation()));
            }
        });
        return Math.abs(result.eta()[AffineGenerator.ROTATION.ordinal()]);
    }

    @Test
    void rotationGrowsWhenLabelsAreRotationInvariant() {
        double rotation = learnedRotation(SyntheticImages.Variant.PATTERNS);
        assertTrue(rotation > 3 * START, "learned rotation magnitude " + rotation + " (start " + START + ")");
    }

    @Test
    void rotationStaysSmallWhenRotationChangesTheLabel() {
        double rotation = learnedRotation(SyntheticImages.Variant.ORIENTED_GRATINGS);
        assertTrue(rotation < 2 * START, "learned rotation magnitude " + rotation + " (start " + START + ")");
    }
}
