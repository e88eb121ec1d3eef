package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Observes the weight layers during a forward-mode derivative pass ({@link Module#jvp}): each layer's cached forward
 * input and the tangent of that input. Derivatives of Kronecker factors w.r.t. input-side hyperparameters (learned
 * augmentation) are built from these pairs.
 *
 * <p>A tap can also move the weight layers' own parameters ({@link #weightTangent}): a pass from a zero input tangent
 * then gives the Jacobian-vector product J(x) v w.r.t. the weights, which the linearised sampling predictive uses.
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

    /**
     * The direction of this layer's own parameters in this pass, or null (the default) when they stay fixed. A weight
     * layer adds the output change of that step at its cached input, {@code dW a + db} at every position, to the
     * output tangent it propagates from its input tangent.
     *
     * @param layer a weight layer of the network, in forward order
     * @return the direction of the layer's weight and bias, shaped like them, or null to keep them fixed
     */
    default WeightTangent weightTangent(WeightLayer layer) {
        return null;
    }
}
