package io.kronlaplace.laplace;

import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a fit learns about the data besides the curvature: the number of examples, the number of network outputs C and
 * the summed data statistic at the MAP weights (the summed cross-entropy for classification, the summed squared error
 * {@code sum_n ||y_n - f_n||^2} for regression; see {@link LikelihoodType#dataTerm}). Together they give the
 * log-likelihood term of the marginal likelihood at any sigma and temperature. Serializable, so statistics of parts
 * of the data computed in other processes can be added with {@link #plus}.
 *
 * @param examples N, at least 1
 * @param outputs  C, at least 1
 * @param dataTerm the summed data statistic, finite and >= 0
 */
public record FitStatistics(long examples, long outputs, double dataTerm) implements Serializable {
    /**
     * Validates the counts and the data term.
     *
     * @param examples N, at least 1
     * @param outputs  C, at least 1
     * @param dataTerm the summed data statistic, finite and &gt;= 0
     * @throws IllegalArgumentException for a count below 1 or a data term that is negative or not finite
     */
    public FitStatistics {
        if (examples < 1 || outputs < 1) {
            throw new IllegalArgumentException("fit statistics need at least one example and one output, got "
                    + examples + " examples and " + outputs + " outputs");
        }
        if (!(dataTerm >= 0) || Double.isInfinite(dataTerm)) {
            throw new IllegalArgumentException("the summed data term must be finite and >= 0, got " + dataTerm);
        }
    }

    /**
     * The statistics of one batch of network outputs. With S shared rows per example (the invariant model) the
     * outputs hold S consecutive rows per example, whose mean is the model's output for that example.
     *
     * @param likelihood           the observation model
     * @param outputs              network outputs, {@code N*S x C}
     * @param targets              N class indices or {@code N x C} regression targets
     * @param sharedRowsPerExample S, at least 1
     * @return the batch's examples, outputs and summed data term
     * @throws IllegalArgumentException on bad shapes, non-finite targets or invalid class indices
     */
    public static FitStatistics of(LikelihoodType likelihood, INDArray outputs, INDArray targets,
                                   int sharedRowsPerExample) {
        INDArray f = SharedRows.average(outputs, sharedRowsPerExample);
        return new FitStatistics(f.size(0), f.size(1), likelihood.dataTerm(f, targets));
    }

    /**
     * The statistics of this batch and another one together.
     *
     * @param other the statistics of other examples, with the same number of outputs
     * @return the statistics of both, summed
     * @throws IllegalArgumentException when the two have different numbers of outputs
     */
    public FitStatistics plus(FitStatistics other) {
        if (other.outputs != outputs) {
            throw new IllegalArgumentException("mini-batch has " + other.outputs + " outputs, earlier ones had "
                    + outputs);
        }
        return new FitStatistics(examples + other.examples, outputs, dataTerm + other.dataTerm);
    }
}
