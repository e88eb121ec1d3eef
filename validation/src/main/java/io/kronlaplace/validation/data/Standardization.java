package io.kronlaplace.validation.data;

import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-column standardisation {@code x' = (x - mean_j) / std_j} of a matrix of features or regression targets, and
 * its inverse for predictions made in the standardised scale.
 *
 * <p>Fit it on the training split only ({@link #fit(INDArray)}) and apply the same object to every other split; keep
 * it with the model (it is {@link Serializable}, and its two arrays are all it holds) so that predictions can be
 * brought back to the original units with {@link #invert} and {@link #invertVariance}. A constant column keeps
 * standard deviation 1 (it is only centred), as it carries no scale to remove.
 *
 * <pre>{@code
 * Standardization targetScale = Standardization.fit(train.targets());
 * INDArray y = targetScale.apply(train.targets());           // train on y
 * GaussianPrediction p = predictive.regress(x);              // in standardised units
 * INDArray mean = targetScale.invert(p.mean());
 * INDArray variance = targetScale.invertVariance(p.variance());
 * }</pre>
 *
 * @param mean per-column mean of the fitting data
 * @param std  per-column population standard deviation of the fitting data (positive; 1 for a constant column)
 */
public record Standardization(double[] mean, double[] std) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Validates lengths and values; copies the arrays.
     *
     * @param mean per-column means, finite
     * @param std  per-column standard deviations, finite and positive, as many as means
     * @throws IllegalArgumentException when the lengths differ or are 0, or a value is out of range
     */
    public Standardization {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need one entry per column, got " + mean.length + " and "
                    + std.length);
        }
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0.0) || !Double.isFinite(std[j]) || !Double.isFinite(mean[j])) {
                throw new IllegalArgumentException("column " + j + ": need finite mean and positive std, got mean "
                        + mean[j] + ", std " + std[j]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Column means and population standard deviations of a matrix, computed in float64.
     *
     * @param columns {@code N x D} values, N at least 1, all finite
     * @return the standardisation of the D columns
     * @throws IllegalArgumentException when the input is not a non-empty matrix or holds a non-finite value
     */
    public static Standardization fit(INDArray columns) {
        if (columns.rank() != 2 || columns.size(0) == 0 || columns.size(1) == 0) {
            throw new IllegalArgumentException("standardisation is fitted on an N x D matrix with N, D >= 1, got shape "
                    + Arrays.toString(columns.shape()));
        }
        INDArray x = columns.castTo(DataType.DOUBLE);
        double[] mean = x.mean(0).toDoubleVector();
        double[] std = x.std(false, 0).toDoubleVector();
        for (int j = 0; j < std.length; j++) {
            if (!Double.isFinite(mean[j]) || !Double.isFinite(std[j])) {
                throw new IllegalArgumentException("column " + j + " holds a non-finite value");
            }
            // rounding leaves a tiny positive spread for a constant column: treat that as constant
            if (!(std[j] > 1e-12 * Math.max(1.0, Math.abs(mean[j])))) {
                std[j] = 1.0;
            }
        }
        return new Standardization(mean, std);
    }

    /**
     * Standardises the columns.
     *
     * @param columns {@code N x D} in the fitted units
     * @return a new {@code N x D} array of the same type, {@code (x - mean) / std}
     * @throws IllegalArgumentException when the column count differs from the fitted one
     */
    public INDArray apply(INDArray columns) {
        requireColumns(columns);
        return columns.sub(row(mean, columns.dataType())).divi(row(std, columns.dataType()));
    }

    /**
     * Brings standardised values back to the fitted units.
     *
     * @param standardized {@code N x D} standardised values (e.g. a predictive mean)
     * @return a new {@code N x D} array of the same type, {@code x * std + mean}
     * @throws IllegalArgumentException when the column count differs from the fitted one
     */
    public INDArray invert(INDArray standardized) {
        requireColumns(standardized);
        return standardized.mul(row(std, standardized.dataType())).addi(row(mean, standardized.dataType()));
    }

    /**
     * Brings variances of standardised values back to the fitted units.
     *
     * @param variance {@code N x D} variances in the standardised scale
     * @return a new {@code N x D} array of the same type, {@code variance * std^2}
     * @throws IllegalArgumentException when the column count differs from the fitted one
     */
    public INDArray invertVariance(INDArray variance) {
        requireColumns(variance);
        INDArray s = row(std, variance.dataType());
        return variance.mul(s).muli(s);
    }

    /**
     * A copy of the per-column means.
     *
     * @return the means
     */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /**
     * A copy of the per-column standard deviations.
     *
     * @return the standard deviations
     */
    @Override
    public double[] std() {
        return std.clone();
    }

    /**
     * The number of fitted columns.
     *
     * @return D
     */
    public int columns() {
        return mean.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Standardization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }

    private void requireColumns(INDArray x) {
        if (x.rank() != 2 || x.size(1) != mean.length) {
            throw new IllegalArgumentException("expected an N x " + mean.length + " matrix, got shape "
                    + Arrays.toString(x.shape()));
        }
    }

    private static INDArray row(double[] values, DataType type) {
        return Nd4j.createFromArray(values).castTo(type).reshape(1, values.length);
    }
}
