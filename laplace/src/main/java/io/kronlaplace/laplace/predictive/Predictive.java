package io.kronlaplace.laplace.predictive;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A predictive distribution of a network's targets given its inputs: what the point estimate
 * ({@link MapPredictive}) and the Laplace predictives ({@link GlmPredictive}, {@link LinearisedSamplingPredictive})
 * have in common, so that evaluation code can take any of them.
 */
public interface Predictive {
    /**
     * Class probabilities of a classification model.
     *
     * @param x network inputs
     * @return {@code N x C} float64, rows summing to 1
     * @throws IllegalStateException when the model is not a classifier
     */
    INDArray classify(INDArray x);

    /**
     * The Gaussian predictive of a regression model.
     *
     * @param x network inputs
     * @return mean, functional variance and predictive variance, each {@code N x C}
     * @throws IllegalStateException when the model is not a regression model
     */
    GaussianPrediction regress(INDArray x);
}
