package io.kronlaplace.laplace;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The linearised (GLM) predictive of the network outputs: f* ~ N(mean, covariance).
 *
 * @param mean       f(x; theta*), {@code N x C}, float64
 * @param covariance J P^-1 J^T per example, {@code N x C x C}, float64
 */
public record FunctionalPrediction(INDArray mean, INDArray covariance) {
    /** The diagonal of each covariance, {@code N x C}. */
    public INDArray variance() {
        long n = mean.size(0);
        long c = mean.size(1);
        INDArray v = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n, c);
        for (long i = 0; i < n; i++) {
            for (long k = 0; k < c; k++) {
                v.putScalar(i, k, covariance.getDouble(i, k, k));
            }
        }
        return v;
    }
}
