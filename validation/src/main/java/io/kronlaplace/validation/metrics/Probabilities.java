package io.kronlaplace.validation.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Input checks and conversions shared by the metrics.
 *
 * <p>A valid matrix of predicted probabilities is N x C with N &ge; 1 and C &ge; 1, every entry finite and in
 * [0, 1 + {@value #SUM_TOLERANCE}], and every row summing to one within {@value #SUM_TOLERANCE}: the tolerance is
 * relative to the expected sum 1, so |sum - 1| &le; 1e-6 is accepted. That absorbs float32 softmax rounding (about
 * 1e-7 per entry) but rejects unnormalised scores or logits passed by mistake.
 */
public final class Probabilities {
    /** Accepted deviation of a row sum from 1 (relative to 1). */
    public static final double SUM_TOLERANCE = 1e-6;

    private Probabilities() {
    }

    /**
     * Copies a rank-2 INDArray [N, C] of probabilities into a double matrix (any floating-point type).
     *
     * @param probabilities an {@code N x C} matrix
     * @return the same values as {@code double[N][C]}
     */
    public static double[][] toMatrix(INDArray probabilities) {
        if (probabilities.rank() != 2) {
            throw new IllegalArgumentException("probabilities must be a matrix [N, C], got shape "
                    + Arrays.toString(probabilities.shape()));
        }
        if (probabilities.size(0) == 0) {
            throw new IllegalArgumentException("probabilities must have at least one row, got shape "
                    + Arrays.toString(probabilities.shape()));
        }
        return probabilities.toDoubleMatrix();
    }

    /**
     * Copies a vector (or [N, 1] column) into a double array.
     *
     * @param values a vector or an {@code N x 1} column
     * @return the same values as {@code double[N]}
     */
    public static double[] toVector(INDArray values) {
        if (!(values.rank() == 1 || (values.rank() == 2 && (values.size(1) == 1 || values.size(0) == 1)))) {
            throw new IllegalArgumentException("expected a vector, got shape " + Arrays.toString(values.shape()));
        }
        return values.toDoubleVector();
    }

    /**
     * Validates a probability matrix and, when {@code labels} is not null, that there is one label per row in
     * 0..C-1. Returns C.
     *
     * @param probabilities {@code N x C} rows of probabilities, each in [0, 1] and summing to 1
     * @param labels        one class index per row, or null to check the probabilities only
     * @return the number of classes C
     */
    public static int check(double[][] probabilities, int[] labels) {
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("no predictions: probability matrix has 0 rows");
        }
        int classes = probabilities[0].length;
        if (classes == 0) {
            throw new IllegalArgumentException("probability rows are empty (0 classes)");
        }
        if (labels != null && labels.length != probabilities.length) {
            throw new IllegalArgumentException("length mismatch: " + probabilities.length + " probability rows but "
                    + labels.length + " labels");
        }
        for (int i = 0; i < probabilities.length; i++) {
            double[] row = probabilities[i];
            if (row.length != classes) {
                throw new IllegalArgumentException("row " + i + " has " + row.length + " entries, row 0 has "
                        + classes);
            }
            double sum = 0.0;
            for (int c = 0; c < classes; c++) {
                double p = row[c];
                if (Double.isNaN(p) || p < 0.0 || p > 1.0 + SUM_TOLERANCE) {
                    throw new IllegalArgumentException("row " + i + ", class " + c + ": probability " + p
                            + " is NaN or outside [0, 1]");
                }
                sum += p;
            }
            if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
                throw new IllegalArgumentException("row " + i + " sums to " + sum + ", not 1 (tolerance "
                        + SUM_TOLERANCE + "): " + Arrays.toString(row));
            }
            if (labels != null && (labels[i] < 0 || labels[i] >= classes)) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " outside 0.."
                        + (classes - 1));
            }
        }
        return classes;
    }

    /**
     * The predicted class: the index of the largest probability (the lowest index among ties).
     *
     * @param row class probabilities of one example
     * @return the index of the largest probability
     */
    public static int argmax(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The confidence: the largest probability of the row.
     *
     * @param row class probabilities of one example
     * @return the largest probability
     */
    public static double max(double[] row) {
        return row[argmax(row)];
    }
}
