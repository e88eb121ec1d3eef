package io.kronlaplace.hyperopt;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Held-out metrics of the point estimate after each training epoch, recorded in {@link EpochSummary} so that a report
 * can show test metrics per epoch. The evaluation must not change the network or draw random numbers, so that a
 * resumed run stays bit-for-bit the same as an uninterrupted one.
 */
@FunctionalInterface
public interface EpochTestEvaluation {
    /** Evaluates nothing: every metric is NaN. */
    EpochTestEvaluation NONE = network -> TestMetrics.NONE;

    /**
     * The network's metrics on the held-out data.
     *
     * @param network the network after the epoch (weights of that epoch)
     * @return its metrics
     */
    TestMetrics evaluate(Network network);

    /**
     * Point-estimate metrics on held-out data.
     *
     * @param accuracy fraction classified correctly, NaN when not evaluated
     * @param nll      mean negative log-likelihood in nats per example, NaN when not evaluated
     */
    record TestMetrics(double accuracy, double nll) {
        /** No evaluation. */
        public static final TestMetrics NONE = new TestMetrics(Double.NaN, Double.NaN);
    }

    /**
     * The MAP accuracy and NLL (softmax of the logits in evaluation mode, as {@link ModelEvaluation#MAP}) on a test
     * set: one forward pass over it per epoch, in batches.
     *
     * @param test      the test images with their labels (normalised like the training images)
     * @param batchSize images per forward pass, at least 1
     * @return the evaluation
     * @throws IllegalArgumentException for an empty test set or a batch size below 1
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    static EpochTestEvaluation classification(ImageDataset test, int batchSize) {
        Objects.requireNonNull(test, "test");
        if (test.size() == 0 || batchSize < 1) {
            throw new IllegalArgumentException("per-epoch test evaluation needs test images and a batch size >= 1, "
                    + "got " + test.size() + " images and batch size " + batchSize);
        }
        return network -> {
            List<INDArray> parts = new ArrayList<>();
            for (int from = 0; from < test.size(); from += batchSize) {
                try (StepWorkspace ignored = StepWorkspace.open(ModelEvaluation.PREDICTION_WORKSPACE)) {
                    INDArray images = ModelEvaluation.rows(test, from, Math.min(test.size(), from + batchSize))
                            .images();
                    parts.add(ModelEvaluation.mapProbabilities(network, images).detach());
                }
            }
            StepWorkspace.release(ModelEvaluation.PREDICTION_WORKSPACE);
            INDArray probabilities = parts.size() == 1 ? parts.get(0) : Nd4j.vstack(parts);
            return new TestMetrics(ClassificationMetrics.accuracy(probabilities, test.labels()),
                    ClassificationMetrics.negativeLogLikelihood(probabilities, test.labels()));
        };
    }
}
