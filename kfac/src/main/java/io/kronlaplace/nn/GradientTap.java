package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Observes the weight layers during a backward pass: the curvature engine uses it to read each layer's input and the
 * vectors back-propagated to its output without storing the whole graph.
 */
@FunctionalInterface
public interface GradientTap {
    /**
     * Called once per {@link WeightLayer} per backward pass, before the layer computes its input gradient.
     *
     * @param layer the layer
     * @param input the layer's cached forward input (N rows along dimension 0)
     * @param gradOutput back-propagated vectors at the layer's output, {@code copies * N} rows, copy-major
     *                   (row {@code c * N + n} is copy c of example n)
     * @param copies     the number of back-propagated vectors per example
     */
    void observe(WeightLayer layer, INDArray input, INDArray gradOutput, int copies);
}
