package io.kronlaplace.likelihood;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A negative log-likelihood on network outputs {@code f} ({@code N x C}) with its derivatives: what training, the
 * curvature engine and the marginal likelihood need.
 *
 * <p>Targets: class indices of shape {@code [N]} for classification, {@code N x C} values for regression.
 */
public interface Likelihood {
    /** Negative log-likelihood of the targets, summed or averaged over examples. */
    double loss(INDArray outputs, INDArray targets, Reduction reduction);

    /** Gradient of {@link #loss} w.r.t. the outputs, {@code N x C}. */
    INDArray gradient(INDArray outputs, INDArray targets, Reduction reduction);

    /**
     * A square root of the per-example loss Hessian w.r.t. the outputs (summed loss): for each example n a
     * {@code C x C} matrix S_n with S_n S_n^T = Lambda_n. Returned as {@code C * N} rows of length C, copy-major:
     * row {@code c * N + n} is column c of S_n. These are the back-propagated vectors of the exact GGN.
     */
    INDArray hessianSqrt(INDArray outputs);

    /**
     * Gradients of the summed loss at labels sampled from the model's predictive distribution, {@code samples * N}
     * rows, copy-major, each divided by sqrt(samples): their outer products average to the Fisher (MC Fisher).
     */
    INDArray sampledGradients(INDArray outputs, int samples, SplittableRandom random);

    /**
     * {@link #hessianSqrt(INDArray)} for a batch whose targets are known: a likelihood whose Hessian depends on which
     * targets are observed (missing labels of {@link BinaryCrossEntropy}) uses them; the others ignore them.
     *
     * @param targets the batch's targets, or null when unknown
     */
    default INDArray hessianSqrt(INDArray outputs, INDArray targets) {
        return hessianSqrt(outputs);
    }

    /**
     * {@link #sampledGradients(INDArray, int, SplittableRandom)} for a batch whose targets are known (see
     * {@link #hessianSqrt(INDArray, INDArray)}).
     *
     * @param targets the batch's targets, or null when unknown
     */
    default INDArray sampledGradients(INDArray outputs, INDArray targets, int samples, SplittableRandom random) {
        return sampledGradients(outputs, samples, random);
    }

    /** Number of back-propagated vectors per example of {@link #hessianSqrt} for C outputs. */
    default int hessianSqrtColumns(long outputs) {
        return Math.toIntExact(outputs);
    }
}
