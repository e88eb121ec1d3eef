package io.kronlaplace.laplace.predictive;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Gaussian predictive of regression outputs, per example and output dimension.
 *
 * @param mean               predictive mean, {@code N x C}
 * @param functionalVariance epistemic variance of f*, {@code N x C}
 * @param variance           predictive variance: functional variance plus the observation noise sigma^2, {@code N x C}
 */
public record GaussianPrediction(INDArray mean, INDArray functionalVariance, INDArray variance) {
}
