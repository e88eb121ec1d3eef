package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An evaluation keeps its prediction memory from one set to the next, which changes no probability, and frees it
 * once the report's last set is predicted.
 */
class ModelEvaluationMemoryTest {
    private static ImageDataset images(String name, int n, long seed) {
        ImageDataset raw = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1).generate(name, n, seed);
        return new ImageDataset(name, raw.images().castTo(DataType.DOUBLE), raw.labels(), raw.numClasses());
    }

    @Test
    void memoryKeptBetweenSetsChangesNoProbabilityAndTheReportFreesIt() {
        ModelEvaluation evaluation = new ModelEvaluation(TinyNets.conv(3, 10, 2, DataType.DOUBLE),
                PriorPrecision.scalar(2.0), KfacFlavour.REDUCE, 4, 5, 1, line -> { })
                .withPosterior(SubsetOfWeights.ALL, List.of(LinkApproximation.MC, LinkApproximation.PROBIT));
        ImageDataset train = images("train", 10, 1);
        ImageDataset first = images("first", 5, 2);
        ImageDataset second = images("second", 7, 3);
        LaplacePosterior posterior = Laplace.create(evaluation.network(), evaluation.options());
        posterior.fit(evaluation.trainingBatches(train).iterator());

        ModelEvaluation.releasePredictionMemory();
        MethodProbabilities fresh = evaluation.predictor(posterior).predict(first);
        assertTrue(StepWorkspace.isAllocated(ModelEvaluation.PREDICTION_WORKSPACE), "kept for the next set");
        ModelEvaluation.SetPredictor predictor = evaluation.predictor(posterior);
        predictor.predict(second);
        MethodProbabilities reused = predictor.predict(first);
        for (LinkApproximation link : List.of(LinkApproximation.MC, LinkApproximation.PROBIT)) {
            assertEquals(0.0, fresh.laplace(link).sub(reused.laplace(link)).amaxNumber().doubleValue(), 0.0,
                    link + " probabilities after another set in the kept memory");
        }
        assertEquals(0.0, fresh.map().sub(reused.map()).amaxNumber().doubleValue(), 0.0, "MAP probabilities");

        evaluation.report(posterior, first, List.of(), second, EvaluationReport.builder("memory"),
                evaluation::predictor);
        assertFalse(StepWorkspace.isAllocated(ModelEvaluation.PREDICTION_WORKSPACE), "freed after the last set");
    }
}
