package io.kronlaplace.validation.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Metrics of predicted probabilities for multi-label binary targets with missing labels: every label is a Bernoulli
 * outcome scored on its own, missing labels (NaN) are left out.
 */
public final class MultiLabelMetrics {
    private MultiLabelMetrics() {
    }

    /**
     * Average precision ({@link AveragePrecision#meanOverTasks}; NaN when no task has both classes observed, as a
     * small test set may), and NLL and Brier score per observed label, with the likelihood of each label raised to
     * {@link ClassificationMetrics#LOG_FLOOR} inside the logarithm.
     *
     * @param probabilities {@code N x T} probabilities of label 1, in [0, 1]
     * @param labels        {@code N x T} labels 0, 1 or NaN (missing)
     * @return the average precision, NLL (nats per observed label) and Brier score
     * @throws IllegalArgumentException on different shapes, probabilities outside [0, 1], labels other than 0, 1 or
     *                                  NaN, or no observed label
     */
    public static MultiLabelSummary summarize(INDArray probabilities, INDArray labels) {
        if (probabilities.rank() != 2 || !Arrays.equals(probabilities.shape(), labels.shape())) {
            throw new IllegalArgumentException("probabilities and labels must be N x T matrices of one shape, got "
                    + Arrays.toString(probabilities.shape()) + " and " + Arrays.toString(labels.shape()));
        }
        double[] p = probabilities.castTo(DataType.DOUBLE).dup('c').reshape(probabilities.length()).toDoubleVector();
        double[] y = labels.castTo(DataType.DOUBLE).dup('c').reshape(labels.length()).toDoubleVector();
        int tasks = (int) probabilities.size(1);
        boolean[] positive = new boolean[tasks];
        boolean[] negative = new boolean[tasks];
        long observed = 0;
        double nll = 0;
        double brier = 0;
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] >= 0 && p[i] <= 1)) {
                throw new IllegalArgumentException("probability " + p[i] + " at entry " + i + " is not in [0, 1]");
            }
            if (Double.isNaN(y[i])) {
                continue;
            }
            if (y[i] != 0 && y[i] != 1) {
                throw new IllegalArgumentException("label " + y[i] + " at entry " + i + " is not 0, 1 or NaN");
            }
            double likelihood = y[i] == 1 ? p[i] : 1 - p[i];
            nll -= Math.log(Math.max(likelihood, ClassificationMetrics.LOG_FLOOR));
            brier += (p[i] - y[i]) * (p[i] - y[i]);
            observed++;
            positive[i % tasks] |= y[i] == 1;
            negative[i % tasks] |= y[i] == 0;
        }
        if (observed == 0) {
            throw new IllegalArgumentException("no observed label");
        }
        boolean ranked = false;
        for (int t = 0; t < tasks; t++) {
            ranked |= positive[t] && negative[t];
        }
        double averagePrecision = ranked ? AveragePrecision.meanOverTasks(probabilities, labels) : Double.NaN;
        return new MultiLabelSummary((int) probabilities.size(0), observed, averagePrecision, nll / observed,
                brier / observed);
    }
}
