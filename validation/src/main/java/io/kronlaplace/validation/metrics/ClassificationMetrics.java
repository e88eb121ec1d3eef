package io.kronlaplace.validation.metrics;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Classification metrics on predicted probabilities (N x C, rows summing to one, see {@link Probabilities}) and
 * integer labels. All logarithms are natural (nats). Every method validates its input and throws
 * {@link IllegalArgumentException} for empty input, mismatched lengths, NaN or out-of-range probabilities, rows not
 * summing to one within 1e-6, or labels outside 0..C-1.
 *
 * <p>The predicted class of a row is its arg-max (lowest index among ties) and its confidence is the maximum
 * probability.
 */
public final class ClassificationMetrics {
    /** Default number of equal-width confidence bins for ECE, MCE and reliability diagrams. */
    public static final int DEFAULT_BINS = 15;
    /**
     * Probabilities below this are raised to it inside logarithms, so a float32 probability that underflowed to 0
     * gives a large finite loss (27.6 nats) instead of infinity.
     */
    public static final double LOG_FLOOR = 1e-12;

    private ClassificationMetrics() {
    }

    /**
     * Fraction of rows whose arg-max equals the label.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the accuracy in [0, 1]
     */
    public static double accuracy(double[][] probabilities, int[] labels) {
        Probabilities.check(probabilities, labels);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (Probabilities.argmax(probabilities[i]) == labels[i]) {
                correct++;
            }
        }
        return (double) correct / labels.length;
    }

    /**
     * Mean negative log-likelihood of the labels: -(1/N) sum_i log max(p_i,y_i, {@value #LOG_FLOOR}).
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the mean NLL in nats per example
     */
    public static double negativeLogLikelihood(double[][] probabilities, int[] labels) {
        Probabilities.check(probabilities, labels);
        double sum = 0.0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(probabilities[i][labels[i]], LOG_FLOOR));
        }
        return sum / labels.length;
    }

    /**
     * Multi-class Brier score: (1/N) sum_i sum_c (p_ic - [c = y_i])^2, in [0, 2] (not divided by C).
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the Brier score in [0, 2]
     */
    public static double brierScore(double[][] probabilities, int[] labels) {
        Probabilities.check(probabilities, labels);
        double sum = 0.0;
        for (int i = 0; i < labels.length; i++) {
            double[] row = probabilities[i];
            for (int c = 0; c < row.length; c++) {
                double d = row[c] - (c == labels[i] ? 1.0 : 0.0);
                sum += d * d;
            }
        }
        return sum / labels.length;
    }

    /**
     * Reliability-diagram data over {@code bins} equal-width confidence bins: bin b covers (b / B, (b + 1) / B] and
     * bin 0 also holds confidence 0. Edges are compared exactly against b / B, so a confidence of exactly 0.6 with
     * B = 5 lands in (0.4, 0.6].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @param bins          number B of confidence bins, >= 1
     * @return the B bins with their counts, accuracies and mean confidences
     */
    public static ReliabilityDiagram reliability(double[][] probabilities, int[] labels, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("number of bins must be positive, got " + bins);
        }
        Probabilities.check(probabilities, labels);
        int[] count = new int[bins];
        double[] confidenceSum = new double[bins];
        int[] correct = new int[bins];
        for (int i = 0; i < labels.length; i++) {
            double[] row = probabilities[i];
            int predicted = Probabilities.argmax(row);
            double confidence = row[predicted];
            int b = binOf(confidence, bins);
            count[b]++;
            confidenceSum[b] += confidence;
            if (predicted == labels[i]) {
                correct[b]++;
            }
        }
        List<ReliabilityBin> result = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            double meanConfidence = count[b] == 0 ? Double.NaN : confidenceSum[b] / count[b];
            double accuracy = count[b] == 0 ? Double.NaN : (double) correct[b] / count[b];
            result.add(new ReliabilityBin((double) b / bins, (double) (b + 1) / bins, count[b], meanConfidence,
                    accuracy));
        }
        return new ReliabilityDiagram(result, labels.length);
    }

    /**
     * Expected calibration error with {@value #DEFAULT_BINS} bins (see {@link ReliabilityDiagram}).
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the ECE in [0, 1]
     */
    public static double expectedCalibrationError(double[][] probabilities, int[] labels) {
        return reliability(probabilities, labels, DEFAULT_BINS).expectedCalibrationError();
    }

    /**
     * Expected calibration error with the given number of bins.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @param bins          number of equal-width confidence bins, >= 1
     * @return the ECE in [0, 1]
     */
    public static double expectedCalibrationError(double[][] probabilities, int[] labels, int bins) {
        return reliability(probabilities, labels, bins).expectedCalibrationError();
    }

    /**
     * Maximum calibration error with {@value #DEFAULT_BINS} bins (empty bins are ignored).
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the MCE in [0, 1]
     */
    public static double maximumCalibrationError(double[][] probabilities, int[] labels) {
        return reliability(probabilities, labels, DEFAULT_BINS).maximumCalibrationError();
    }

    /**
     * Maximum calibration error with the given number of bins.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @param bins          number of equal-width confidence bins, >= 1
     * @return the MCE in [0, 1]
     */
    public static double maximumCalibrationError(double[][] probabilities, int[] labels, int bins) {
        return reliability(probabilities, labels, bins).maximumCalibrationError();
    }

    /**
     * Predictive entropy of every row: -sum_c p_c log p_c with 0 log 0 = 0, in nats, in [0, log C].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @return the entropy of each row, in nats
     */
    public static double[] entropy(double[][] probabilities) {
        Probabilities.check(probabilities, null);
        double[] h = new double[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            h[i] = entropyOf(probabilities[i]);
        }
        return h;
    }

    /**
     * The confidence (largest probability) of every row.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @return the confidence of each row, in [0, 1]
     */
    public static double[] confidence(double[][] probabilities) {
        Probabilities.check(probabilities, null);
        double[] conf = new double[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            conf[i] = Probabilities.max(probabilities[i]);
        }
        return conf;
    }

    /**
     * All metrics at once with {@value #DEFAULT_BINS} bins.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return accuracy, NLL, Brier score, ECE, MCE and the reliability diagram
     */
    public static ClassificationSummary summarize(double[][] probabilities, int[] labels) {
        return summarize(probabilities, labels, DEFAULT_BINS);
    }

    /**
     * All metrics at once with the given number of calibration bins.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @param bins          number of equal-width confidence bins, >= 1
     * @return accuracy, NLL, Brier score, ECE, MCE and the reliability diagram
     */
    public static ClassificationSummary summarize(double[][] probabilities, int[] labels, int bins) {
        ReliabilityDiagram diagram = reliability(probabilities, labels, bins);
        return new ClassificationSummary(labels.length, accuracy(probabilities, labels),
                negativeLogLikelihood(probabilities, labels), brierScore(probabilities, labels),
                diagram.expectedCalibrationError(), diagram.maximumCalibrationError(),
                mean(confidence(probabilities)), mean(entropy(probabilities)), diagram);
    }

    /**
     * {@link #summarize(double[][], int[], int)} on an INDArray [N, C] of probabilities.
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @param bins          number of equal-width confidence bins, >= 1
     * @return accuracy, NLL, Brier score, ECE, MCE and the reliability diagram
     */
    public static ClassificationSummary summarize(INDArray probabilities, int[] labels, int bins) {
        return summarize(Probabilities.toMatrix(probabilities), labels, bins);
    }

    /**
     * {@link #accuracy(double[][], int[])} on an INDArray [N, C].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the accuracy in [0, 1]
     */
    public static double accuracy(INDArray probabilities, int[] labels) {
        return accuracy(Probabilities.toMatrix(probabilities), labels);
    }

    /**
     * {@link #negativeLogLikelihood(double[][], int[])} on an INDArray [N, C].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the mean NLL in nats per example
     */
    public static double negativeLogLikelihood(INDArray probabilities, int[] labels) {
        return negativeLogLikelihood(Probabilities.toMatrix(probabilities), labels);
    }

    /**
     * {@link #brierScore(double[][], int[])} on an INDArray [N, C].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @return the Brier score in [0, 2]
     */
    public static double brierScore(INDArray probabilities, int[] labels) {
        return brierScore(Probabilities.toMatrix(probabilities), labels);
    }

    /**
     * {@link #expectedCalibrationError(double[][], int[], int)} on an INDArray [N, C].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @param labels        true class of each row, in 0..C-1
     * @param bins          number of equal-width confidence bins, >= 1
     * @return the ECE in [0, 1]
     */
    public static double expectedCalibrationError(INDArray probabilities, int[] labels, int bins) {
        return expectedCalibrationError(Probabilities.toMatrix(probabilities), labels, bins);
    }

    /**
     * {@link #entropy(double[][])} on an INDArray [N, C].
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @return the entropy of each row, in nats
     */
    public static double[] entropy(INDArray probabilities) {
        return entropy(Probabilities.toMatrix(probabilities));
    }

    static double entropyOf(double[] row) {
        double h = 0.0;
        for (double p : row) {
            if (p > 0.0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** Index of the bin (b / B, (b + 1) / B] containing {@code confidence}, clamped to 0..B-1. */
    static int binOf(double confidence, int bins) {
        int b = (int) Math.ceil(confidence * bins) - 1;
        b = Math.max(0, Math.min(bins - 1, b));
        // confidence * bins can round across an edge; settle against the exact edges b / B.
        while (b > 0 && confidence <= (double) b / bins) {
            b--;
        }
        while (b < bins - 1 && confidence > (double) (b + 1) / bins) {
            b++;
        }
        return b;
    }

    private static double mean(double[] values) {
        double sum = 0.0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
