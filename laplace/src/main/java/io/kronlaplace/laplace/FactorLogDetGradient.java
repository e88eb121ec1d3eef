package io.kronlaplace.laplace;

import io.kronlaplace.curvature.EigenbasisMatrix;

/**
 * The gradient of one layer's log-determinant terms w.r.t. its Kronecker factors A and B, kept in the factors'
 * eigenbases (see {@link KronLaplace#logDetGradient} and docs/kronecker-eigenbasis.md, section Sensitivities to the
 * factors).
 *
 * @param input    d logdet / dA, Din x Din
 * @param gradient d logdet / dB, Dout x Dout (the weight block's and, when the layer has a bias, the bias block's)
 */
public record FactorLogDetGradient(EigenbasisMatrix input, EigenbasisMatrix gradient) {
}
