package io.kronlaplace.validation.report;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A classifier's predictive distribution: a batch of images [B, C, H, W] to class probabilities [B, K]. */
@FunctionalInterface
public interface Predictor {
    /**
     * Class probabilities (rows summing to one) for a batch of images.
     *
     * @param images a batch of images {@code N x C x H x W}
     * @return {@code N x K} class probabilities
     */
    INDArray predict(INDArray images);
}
