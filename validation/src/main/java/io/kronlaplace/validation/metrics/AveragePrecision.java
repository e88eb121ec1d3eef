package io.kronlaplace.validation.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Average precision of scores for binary labels, and its mean over the tasks of a multi-label problem with missing
 * labels, as the OGB evaluator of ogbg-molpcba computes it: per task over the observed labels only, averaged over the
 * tasks that have both a positive and a negative observed label.
 */
public final class AveragePrecision {
    private AveragePrecision() {
    }

    /**
     * {@code AP = sum_k (R_k - R_{k-1}) P_k} over the distinct score thresholds in decreasing order, with R_k and P_k
     * the recall and precision of declaring positive every example whose score is at least the k-th threshold (tied
     * scores enter together, as in scikit-learn's {@code average_precision_score}).
     *
     * @param scores larger = more likely positive
     * @param labels 0 or 1 each
     * @return the average precision in [0, 1]
     * @throws IllegalArgumentException on different lengths, a non-finite score, a label other than 0 or 1, or no
     *                                  positive label
     */
    public static double of(double[] scores, double[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
        int positives = 0;
        for (int i = 0; i < labels.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is not finite: " + scores[i]);
            }
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", not 0 or 1");
            }
            positives += labels[i] == 1 ? 1 : 0;
        }
        if (positives == 0) {
            throw new IllegalArgumentException("average precision needs at least one positive label");
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        double ap = 0;
        int truePositives = 0;
        int declared = 0;
        int start = 0;
        while (start < order.length) {
            int end = start;
            int newPositives = 0;
            while (end < order.length && scores[order[end]] == scores[order[start]]) {
                newPositives += labels[order[end]] == 1 ? 1 : 0;
                end++;
            }
            truePositives += newPositives;
            declared += end - start;
            ap += (double) newPositives / positives * truePositives / declared;
            start = end;
        }
        return ap;
    }

    /**
     * The mean over tasks of {@link #of} on each task's observed labels, over the tasks with both classes observed.
     *
     * @param scores {@code N x T} scores (probabilities or logits)
     * @param labels {@code N x T} labels 0, 1 or NaN (missing)
     * @return the mean average precision in [0, 1]
     * @throws IllegalArgumentException on different shapes, bad labels, or when no task has both classes observed
     */
    public static double meanOverTasks(INDArray scores, INDArray labels) {
        if (scores.rank() != 2 || !Arrays.equals(scores.shape(), labels.shape())) {
            throw new IllegalArgumentException("scores and labels must be N x T matrices of one shape, got "
                    + Arrays.toString(scores.shape()) + " and " + Arrays.toString(labels.shape()));
        }
        int n = (int) scores.size(0);
        int tasks = (int) scores.size(1);
        double[] s = scores.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').reshape(scores.length())
                .toDoubleVector();
        double[] y = labels.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').reshape(labels.length())
                .toDoubleVector();
        double sum = 0;
        int counted = 0;
        for (int t = 0; t < tasks; t++) {
            int observed = 0;
            int positives = 0;
            for (int i = 0; i < n; i++) {
                double v = y[i * tasks + t];
                if (!Double.isNaN(v)) {
                    observed++;
                    positives += v == 1 ? 1 : 0;
                }
            }
            if (positives == 0 || positives == observed) {
                continue;
            }
            double[] ts = new double[observed];
            double[] ty = new double[observed];
            int k = 0;
            for (int i = 0; i < n; i++) {
                double v = y[i * tasks + t];
                if (!Double.isNaN(v)) {
                    ts[k] = s[i * tasks + t];
                    ty[k++] = v;
                }
            }
            sum += of(ts, ty);
            counted++;
        }
        if (counted == 0) {
            throw new IllegalArgumentException("no task has both a positive and a negative observed label");
        }
        return sum / counted;
    }
}
