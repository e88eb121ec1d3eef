package io.kronlaplace.laplace;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The linearised (GLM) predictive of the network outputs: f* ~ N(mean, covariance).
 *
 * @param mean       f(x; theta*), {@code N x C}, float64
 * @param covariance J P^-1 J^T per example, {@code N x C x C}, float64
 */
public record FunctionalPrediction(INDArray mean, INDArray covariance) {
    /**
     * The diagonal of each covariance, {@code N x C}.
     *
     * @return the per-output variances, {@code N x C} float64
     */
    public INDArray variance() {
        long n = mean.size(0);
        long c = mean.size(1);
        // entry (k, k) of an example's row-major C x C block is at k (C + 1): one strided view, not N C reads
        INDArray blocks = covariance.reshape('c', n, c * c);
        return c == 1 ? blocks.dup('c') : blocks.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, c + 1, c * c)).dup('c');
    }
}
