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
    /**
     * Negative log-likelihood of the targets.
     *
     * @param outputs   network outputs f, a finite floating-point {@code N x C} matrix with N, C &gt;= 1
     * @param targets   the examples' targets: class indices {@code [N]} or values {@code N x C}, as the
     *                  implementation documents
     * @param reduction {@link Reduction#SUM} over examples or {@link Reduction#MEAN} (the sum divided by N)
     * @return the loss, in nats
     * @throws IllegalArgumentException when an argument is null, misshapen or not finite, or a target is not valid
     *                                  for the likelihood
     */
    double loss(INDArray outputs, INDArray targets, Reduction reduction);

    /**
     * Gradient of {@link #loss} w.r.t. the outputs.
     *
     * @param outputs   network outputs f, a finite floating-point {@code N x C} matrix with N, C &gt;= 1
     * @param targets   the examples' targets, as for {@link #loss}
     * @param reduction {@link Reduction#SUM} or {@link Reduction#MEAN}, as for {@link #loss}
     * @return a new {@code N x C} array in the outputs' data type
     * @throws IllegalArgumentException when an argument is null, misshapen or not finite, or a target is not valid
     *                                  for the likelihood
     */
    INDArray gradient(INDArray outputs, INDArray targets, Reduction reduction);

    /**
     * A square root of the per-example loss Hessian w.r.t. the outputs (summed loss): for each example n a
     * {@code C x C} matrix S_n with S_n S_n^T = Lambda_n. Returned as {@code C * N} rows of length C, copy-major:
     * row {@code c * N + n} is column c of S_n. These are the back-propagated vectors of the exact GGN.
     *
     * @param outputs network outputs f, a finite floating-point {@code N x C} matrix with N, C &gt;= 1
     * @return a new {@code [K * N, C]} array in the outputs' data type, K = {@link #hessianSqrtColumns} of C
     * @throws IllegalArgumentException when the outputs are null, misshapen or not finite
     */
    INDArray hessianSqrt(INDArray outputs);

    /**
     * Gradients of the summed loss at labels sampled from the model's predictive distribution, {@code samples * N}
     * rows, copy-major, each divided by sqrt(samples): their outer products average to the Fisher (MC Fisher).
     *
     * @param outputs network outputs f, a finite floating-point {@code N x C} matrix with N, C &gt;= 1
     * @param samples labels drawn per example, &gt;= 1
     * @param random  the source of the drawn labels; advanced by the call
     * @return a new {@code [samples * N, C]} array in the outputs' data type
     * @throws IllegalArgumentException when the outputs are null, misshapen or not finite, or samples is below 1
     */
    INDArray sampledGradients(INDArray outputs, int samples, SplittableRandom random);

    /**
     * {@link #hessianSqrt(INDArray)} for a batch whose targets are known: a likelihood whose Hessian depends on which
     * targets are observed (missing labels of {@link BinaryCrossEntropy}) uses them; the others ignore them.
     *
     * @param outputs network outputs f, a finite floating-point {@code N x C} matrix with N, C &gt;= 1
     * @param targets the batch's targets, or null when unknown
     * @return a new {@code [K * N, C]} array in the outputs' data type, laid out as by {@link #hessianSqrt(INDArray)}
     * @throws IllegalArgumentException when the outputs are null, misshapen or not finite, or the targets do not fit
     */
    default INDArray hessianSqrt(INDArray outputs, INDArray targets) {
        return hessianSqrt(outputs);
    }

    /**
     * {@link #sampledGradients(INDArray, int, SplittableRandom)} for a batch whose targets are known (see
     * {@link #hessianSqrt(INDArray, INDArray)}).
     *
     * @param outputs network outputs f, a finite floating-point {@code N x C} matrix with N, C &gt;= 1
     * @param targets the batch's targets, or null when unknown
     * @param samples labels drawn per example, &gt;= 1
     * @param random  the source of the drawn labels; advanced by the call
     * @return a new {@code [samples * N, C]} array in the outputs' data type
     * @throws IllegalArgumentException when the outputs are null, misshapen or not finite, samples is below 1, or the
     *                                  targets do not fit
     */
    default INDArray sampledGradients(INDArray outputs, INDArray targets, int samples, SplittableRandom random) {
        return sampledGradients(outputs, samples, random);
    }

    /**
     * Number of back-propagated vectors per example of {@link #hessianSqrt}.
     *
     * @param outputs C, the number of network outputs per example
     * @return K, the number of rows per example in {@link #hessianSqrt(INDArray)}; C unless the implementation's
     *         Hessian root is narrower
     * @throws ArithmeticException when the count does not fit in an int
     */
    default int hessianSqrtColumns(long outputs) {
        return Math.toIntExact(outputs);
    }
}
