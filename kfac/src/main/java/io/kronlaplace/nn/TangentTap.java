package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Observes the weight layers during a forward-mode derivative pass ({@link Module#jvp}): each layer's cached forward
 * input and the tangent of that input. Derivatives of Kronecker factors w.r.t. input-side hyperparameters (learned
 * augmentation) are built from these pairs.
 */
@FunctionalInterface
public interface TangentTap {
    /**
     * Called once per {@link WeightLayer} per tangent pass, in forward order.
     *
     * @param layer        the layer
     * @param input        the layer's cached forward input
     * @param inputTangent the directional derivative of that input, same shape
     */
    void observe(WeightLayer layer, INDArray input, INDArray inputTangent);
}
