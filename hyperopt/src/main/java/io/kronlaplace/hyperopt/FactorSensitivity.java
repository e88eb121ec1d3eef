package io.kronlaplace.hyperopt;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Derivatives of a layer's log-determinant terms w.r.t. its Kronecker factors: a change dA, dB of the factors
 * changes the log-determinant by {@code <inputFactor, dA> + <gradientFactor, dB>} to first order.
 *
 * @param layerPath      the layer
 * @param inputFactor    d logdet / dA, Din x Din, symmetric, float64
 * @param gradientFactor d logdet / dB, Dout x Dout, symmetric, float64
 */
public record FactorSensitivity(String layerPath, INDArray inputFactor, INDArray gradientFactor) {
}
