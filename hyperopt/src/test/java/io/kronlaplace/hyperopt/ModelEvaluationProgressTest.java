package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** An evaluation reports each pass over data: its set, its methods and every image of it, batch by batch. */
class ModelEvaluationProgressTest {
    private static ImageDataset images(String name, int n, long seed) {
        ImageDataset raw = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1).generate(name, n, seed);
        return new ImageDataset(name, raw.images().castTo(DataType.DOUBLE), raw.labels(), raw.numClasses());
    }

    /** Records passes as "set | methods | total" and the steps of each as "+n". */
    private static final class Recorder implements EvaluationListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void passStarted(String set, String methods, int total) {
            events.add(set + " | " + methods + " | " + total);
        }

        @Override
        public void examplesDone(int examples) {
            events.add("+" + examples);
        }

        @Override
        public void passFinished() {
            events.add("end");
        }
    }

    @Test
    void everyPassIsReportedWithItsSetMethodsAndBatches() {
        Recorder recorder = new Recorder();
        ModelEvaluation evaluation = new ModelEvaluation(TinyNets.conv(3, 10, 2, DataType.DOUBLE),
                PriorPrecision.scalar(2.0), KfacFlavour.REDUCE, 4, 5, 1, line -> { })
                .withPosterior(SubsetOfWeights.LAST_LAYER, List.of(LinkApproximation.MC, LinkApproximation.PROBIT))
                .withListener(recorder);
        ShiftedDataset rotated = new ShiftedDataset(ShiftKind.ROTATION, 30, images("test rotated", 3, 3));
        evaluation.evaluate(images("train", 10, 1), images("test", 5, 2), List.of(rotated), images("ood", 4, 4),
                EvaluationReport.builder("progress"));
        assertEquals(List.of(
                "train | K-FAC curvature | 10", "+4", "+4", "+2", "end",
                "test | MAP, Laplace mc/probit | 5", "+4", "+1", "end",
                "test rotated | MAP, Laplace mc/probit | 3", "+3", "end",
                "ood | MAP, Laplace mc/probit | 4", "+4", "end"), recorder.events);
    }
}
