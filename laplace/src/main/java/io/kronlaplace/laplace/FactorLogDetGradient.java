package io.kronlaplace.laplace;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of one layer's log-determinant terms w.r.t. its Kronecker factors A and B, in the factors' eigenbases:
 * {@code d logdet / dA = qa diag(inputWeights) qa^T}, {@code d logdet / dB = qb diag(gradientWeights) qb^T} (see
 * {@link KronLaplace#logDetGradient}).
 *
 * @param qa              eigenvectors of A in columns, Din x Din, float64
 * @param inputWeights    Din weights in that basis
 * @param qb              eigenvectors of B in columns, Dout x Dout, float64
 * @param gradientWeights Dout weights in that basis
 */
public record FactorLogDetGradient(INDArray qa, double[] inputWeights, INDArray qb, double[] gradientWeights) {
    /** Copies the weight arrays. */
    public FactorLogDetGradient {
        inputWeights = inputWeights.clone();
        gradientWeights = gradientWeights.clone();
    }

    /** A copy of the A-side weights. */
    @Override
    public double[] inputWeights() {
        return inputWeights.clone();
    }

    /** A copy of the B-side weights. */
    @Override
    public double[] gradientWeights() {
        return gradientWeights.clone();
    }
}
