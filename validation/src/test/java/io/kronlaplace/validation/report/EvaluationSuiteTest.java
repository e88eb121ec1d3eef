package io.kronlaplace.validation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.data.SyntheticImages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class EvaluationSuiteTest {
    @Test
    void defaultBatchIsBoundedForMemory() {
        ImageDataset test = new SyntheticImages().generate("test", EvaluationSuite.DEFAULT_BATCH_SIZE + 6, 2);
        List<Long> batchSizes = new ArrayList<>();
        Predictor uniform = images -> {
            batchSizes.add(images.size(0));
            return Nd4j.ones(DataType.DOUBLE, images.size(0), 10).divi(10);
        };
        EvaluationSuite.builder(test).build().evaluate("uniform", uniform, EvaluationReport.builder("suite"));
        // a GLM predictive back-propagates C rows per image: 256 images per call took 4.35 GB on WRN-10-1
        assertEquals(32, EvaluationSuite.DEFAULT_BATCH_SIZE);
        assertEquals(List.of(32L, 6L), batchSizes);
    }

    @Test
    void everySetIsPredictedInBatchesAndReported() {
        ImageDataset train = new SyntheticImages().generate("train", 40, 1);
        ImageDataset test = new SyntheticImages().generate("test", 30, 2);
        ChannelNormalization norm = ChannelNormalization.fit(train);
        EvaluationSuite suite = EvaluationSuite.builder(test).normalization(norm).rotations(30, 60)
                .gaussianNoise(5, 0.1).outOfDistribution(SyntheticImages.smoothNoise("noise", 12, 3)).batchSize(8)
                .build();
        List<Long> batchSizes = new ArrayList<>();
        List<INDArray> seen = new ArrayList<>();
        Predictor uniform = images -> {
            batchSizes.add(images.size(0));
            seen.add(images);
            return Nd4j.ones(DataType.DOUBLE, images.size(0), 10).divi(10);
        };
        EvaluationReport.Builder builder = EvaluationReport.builder("suite");
        suite.evaluate("uniform", uniform, builder);
        EvaluationReport report = builder.build();

        // 4 labelled sets of 30 images in batches of 8 (8, 8, 8, 6), then the 12 OOD images (8, 4)
        assertEquals(List.of(8L, 8L, 8L, 6L), batchSizes.subList(0, 4));
        assertEquals(18, batchSizes.size());
        List<ClassificationEntry> entries = report.classification();
        assertEquals(4, entries.size());
        assertEquals(List.of(ShiftKind.NONE, ShiftKind.ROTATION, ShiftKind.ROTATION, ShiftKind.GAUSSIAN_NOISE),
                entries.stream().map(e -> e.set().kind()).toList());
        assertEquals(60.0, entries.get(2).set().level(), 0);
        int zeros = 0;
        for (int label : test.labels()) {
            zeros += label == 0 ? 1 : 0;
        }
        // uniform predictions: arg-max ties go to class 0, NLL is log 10
        assertEquals(zeros / 30.0, entries.get(0).summary().accuracy(), 1e-12);
        assertEquals(Math.log(10), entries.get(3).summary().nll(), 1e-12);
        assertEquals(1, report.ood().size());
        assertEquals("test", report.ood().get(0).inSet());
        assertEquals("noise", report.ood().get(0).oodSet());
        assertEquals(0.5, report.ood().get(0).result().auroc(), 0);
        // the predictor saw the clean images standardised with the training statistics
        INDArray firstBatch = seen.get(0);
        INDArray expected = norm.apply(test.images()).get(NDArrayIndex.interval(0, 8));
        assertTrue(expected.equalsWithEps(firstBatch, 1e-6));
    }

    @Test
    void severalMethodsPredictedTogetherGiveTheEntriesOfSeparateEvaluations() {
        ImageDataset test = new SyntheticImages().generate("test", 20, 4);
        EvaluationSuite suite = EvaluationSuite.builder(test).rotations(45).gaussianNoise(6, 0.2)
                .outOfDistribution(SyntheticImages.smoothNoise("noise", 10, 7)).batchSize(8).build();
        Predictor first = images -> Nd4j.nn().softmax(images.reshape(images.size(0), -1)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10)).castTo(DataType.DOUBLE), 1);
        Predictor second = images -> Nd4j.nn().softmax(images.reshape(images.size(0), -1)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(10, 20)).castTo(DataType.DOUBLE).mul(3), 1);
        EvaluationReport.Builder separate = EvaluationReport.builder("separate");
        suite.evaluate("first", first, separate);
        suite.evaluate("second", second, separate);
        int[] calls = {0};
        EvaluationReport.Builder together = EvaluationReport.builder("together");
        suite.evaluate(List.of("first", "second"), images -> {
            calls[0]++;
            return List.of(first.predict(images), second.predict(images));
        }, together);

        // 3 labelled sets of 20 images in batches of 8 (3 batches each), then the 10 OOD images (2 batches)
        assertEquals(11, calls[0]);
        EvaluationReport a = separate.build();
        EvaluationReport b = together.build();
        assertEquals(a.classification().size(), b.classification().size());
        for (ClassificationEntry e : a.classification()) {
            ClassificationEntry match = b.classification().stream()
                    .filter(o -> o.method().equals(e.method()) && o.set().equals(e.set())).findFirst().orElseThrow();
            assertEquals(e.summary().nll(), match.summary().nll(), 0);
            assertEquals(e.summary().ece(), match.summary().ece(), 0);
        }
        assertEquals(2, b.ood().size());
        for (OodEntry e : a.ood()) {
            OodEntry match = b.ood().stream().filter(o -> o.method().equals(e.method())).findFirst().orElseThrow();
            assertEquals(e.result().auroc(), match.result().auroc(), 0);
        }
    }

    @Test
    void wrongPredictorShapeIsReported() {
        ImageDataset test = new SyntheticImages().generate("test", 5, 2);
        EvaluationSuite suite = EvaluationSuite.builder(test).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> suite.evaluate("bad", images -> Nd4j.ones(3, 10).divi(10), EvaluationReport.builder("x")));
        assertTrue(e.getMessage().contains("predictor returned shape [3, 10] for a batch of 5 images"),
                e.getMessage());
    }

    @Test
    void severalMethodsFromOnePassAndShiftsOfASubset() {
        ImageDataset test = new SyntheticImages().generate("test", 20, 2).castTo(DataType.DOUBLE);
        EvaluationSuite suite = EvaluationSuite.builder(test).rotations(90).gaussianNoise(3, 0.1).shiftSubset(6, 9)
                .outOfDistribution(SyntheticImages.smoothNoise("noise", 4, 3).castTo(DataType.DOUBLE)).batchSize(32)
                .build();
        assertEquals(20, suite.clean().dataset().size());
        assertEquals(6, suite.shifted().get(0).dataset().size());
        assertEquals(6, suite.shifted().get(1).dataset().size());
        // the rotated subset holds rotations of test images (an exact index rotation at 90 degrees)
        INDArray rotated = suite.shifted().get(0).dataset().images();
        int[] subset = java.util.Arrays.copyOf(io.kronlaplace.validation.data.SeededShuffle.permutation(20, 9), 6);
        for (int i = 0; i < 6; i++) {
            assertEquals(test.images().getDouble(subset[i], 1, 4, 31 - 7), rotated.getDouble(i, 1, 7, 4), 1e-12);
            assertEquals(test.label(subset[i]), suite.shifted().get(0).dataset().label(i));
        }
        int[] passes = new int[1];
        EvaluationReport.Builder builder = EvaluationReport.builder("suite");
        suite.evaluate(List.of("uniform", "certain"), images -> {
            passes[0]++;
            INDArray certain = Nd4j.zeros(DataType.DOUBLE, images.size(0), 10);
            certain.getColumn(3).assign(1.0);
            return List.of(Nd4j.ones(DataType.DOUBLE, images.size(0), 10).divi(10), certain);
        }, builder);
        // one call per batch for both methods: 4 sets of one batch each
        assertEquals(4, passes[0]);
        EvaluationReport report = builder.build();
        assertEquals(6, report.classification().size());
        assertEquals(2, report.ood().size());
        assertEquals(Math.log(10), report.classification().stream().filter(e -> e.method().equals("uniform"))
                .findFirst().orElseThrow().summary().nll(), 1e-12);
        double threes = 0;
        for (int label : test.labels()) {
            threes += label == 3 ? 1 : 0;
        }
        assertEquals(threes / 20, report.classification().stream().filter(e -> e.method().equals("certain"))
                .findFirst().orElseThrow().summary().accuracy(), 1e-12);
        assertThrows(IllegalStateException.class, () -> suite.evaluate(List.of("a", "b"),
                images -> List.of(Nd4j.ones(DataType.DOUBLE, images.size(0), 10).divi(10)),
                EvaluationReport.builder("x")));
        assertThrows(IllegalArgumentException.class, () -> suite.evaluate(List.of("a", "a"),
                images -> List.of(), EvaluationReport.builder("x")));
    }
}
