package io.kronlaplace.laplace;

import io.kronlaplace.likelihood.BinaryCrossEntropy;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The observation model of the network outputs f (N x C): what the Laplace posterior needs of it is the summed
 * data term at the MAP, the likelihood the curvature is computed with and the shape of the targets.
 */
public enum LikelihoodType {
    /** Softmax categorical likelihood on logits; targets are class indices of shape [N]. */
    CLASSIFICATION,
    /** Gaussian likelihood N(y; f, sigma^2 I); targets are N x C. */
    REGRESSION,
    /**
     * Independent Bernoulli likelihoods on logits, one per output (multi-label, as in ogbg-molpcba); targets are
     * N x C labels 0 or 1, NaN for a missing label, which contributes nothing (see {@link BinaryCrossEntropy}).
     */
    BINARY;

    /**
     * Whether the likelihood has an observation noise sigma (only REGRESSION; the others fix sigma = 1).
     *
     * @return true for REGRESSION only
     */
    public boolean hasObservationNoise() {
        return this == REGRESSION;
    }

    /**
     * The data statistic of one batch at fixed weights: the summed cross-entropy (classification), the summed binary
     * cross-entropy over observed labels (binary) or the summed squared error sum_n ||y_n - f_n||^2 (regression). Both are sufficient for the log-likelihood at any sigma and T.
     *
     * @param outputs network outputs, {@code N x C}
     * @param targets class indices of shape [N], or {@code N x C} targets (labels or values)
     * @return the summed data statistic, finite and &gt;= 0
     */
    public double dataTerm(INDArray outputs, INDArray targets) {
        validate(outputs, targets);
        INDArray f = outputs.castTo(DataType.DOUBLE);
        if (this == REGRESSION) {
            INDArray r = f.sub(targets.castTo(DataType.DOUBLE));
            return r.mul(r).sumNumber().doubleValue();
        }
        if (this == BINARY) {
            return new BinaryCrossEntropy().loss(outputs, targets, Reduction.SUM);
        }
        INDArray logp = logSoftmax(f);
        long n = f.size(0);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum -= logp.getDouble(i, targets.getLong(i));
        }
        return sum;
    }

    /**
     * The likelihood the curvature is computed with: softmax or binary cross-entropy, or a Gaussian with unit noise
     * (sigma enters the posterior only through the scale 1 / (sigma^2 T)).
     *
     * @return the likelihood of the curvature pass
     */
    public Likelihood curvatureLikelihood() {
        return switch (this) {
            case CLASSIFICATION -> new CrossEntropy();
            case REGRESSION -> new Gaussian(1.0);
            case BINARY -> new BinaryCrossEntropy();
        };
    }

    /**
     * Checks the target shape against the outputs and rejects NaN/infinite values and bad class indices.
     *
     * @param outputs network outputs, {@code N x C}
     * @param targets class indices of shape [N], or {@code N x C} targets (labels or values)
     */
    public void validate(INDArray outputs, INDArray targets) {
        Tensors.requireRank(outputs, "network outputs", 2);
        long n = outputs.size(0);
        if (this == REGRESSION) {
            if (!Arrays.equals(outputs.shape(), targets.shape())) {
                throw new IllegalArgumentException("regression targets must match the outputs' shape "
                        + Arrays.toString(outputs.shape()) + ", got " + Arrays.toString(targets.shape()));
            }
            Tensors.requireFinite(targets, "regression targets");
            return;
        }
        if (this == BINARY) {
            BinaryCrossEntropy.labels(targets, outputs);
            return;
        }
        if (targets.length() != n || targets.rank() > 2 || (targets.rank() == 2 && targets.size(1) != 1
                && targets.size(0) != 1)) {
            throw new IllegalArgumentException("classification targets must be " + n
                    + " class indices (shape [" + n + "]), got shape " + Arrays.toString(targets.shape()));
        }
        Tensors.requireFinite(targets, "classification targets");
        long classes = outputs.size(1);
        for (long i = 0; i < n; i++) {
            double t = targets.getDouble(i);
            if (t != Math.rint(t) || t < 0 || t >= classes) {
                throw new IllegalArgumentException("class index at row " + i + " must be an integer in [0, "
                        + classes + "), got " + t);
            }
        }
    }

    /**
     * Row-wise softmax of logits (float64).
     *
     * @param logits logits, {@code N x C}
     * @return the class probabilities, {@code N x C} float64, rows summing to 1
     */
    public static INDArray softmax(INDArray logits) {
        INDArray f = logits.castTo(DataType.DOUBLE);
        INDArray shifted = f.subColumnVector(f.max(1).reshape(f.size(0), 1));
        INDArray e = org.nd4j.linalg.ops.transforms.Transforms.exp(shifted, true);
        return e.diviColumnVector(e.sum(1).reshape(f.size(0), 1));
    }

    private static INDArray logSoftmax(INDArray f) {
        INDArray shifted = f.subColumnVector(f.max(1).reshape(f.size(0), 1));
        INDArray lse = org.nd4j.linalg.ops.transforms.Transforms.log(
                org.nd4j.linalg.ops.transforms.Transforms.exp(shifted, true).sum(1), true).reshape(f.size(0), 1);
        return shifted.subColumnVector(lse);
    }
}
