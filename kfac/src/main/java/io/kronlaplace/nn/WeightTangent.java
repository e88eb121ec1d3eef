package io.kronlaplace.nn;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A direction in one weight layer's own parameters for a forward-mode pass w.r.t. the weights: {@code weight} has the
 * weight's shape, {@code bias} the bias's shape, or is null when the layer has no bias or the direction leaves it
 * unchanged. Both are in the network's floating type. See {@link TangentTap#weightTangent}.
 *
 * @param weight direction of the weight, shaped like {@link WeightLayer#weight()}
 * @param bias   direction of the bias, shaped like {@link WeightLayer#bias()}, or null
 */
public record WeightTangent(INDArray weight, INDArray bias) {
    /**
     * Checks that the weight direction is given.
     *
     * @param weight direction of the weight, shaped like {@link WeightLayer#weight()}; not null
     * @param bias   direction of the bias, shaped like {@link WeightLayer#bias()}, or null to leave the bias fixed
     * @throws NullPointerException when the weight direction is missing
     */
    public WeightTangent {
        Objects.requireNonNull(weight, "weight direction");
    }

    /**
     * Checks the directions against a layer's parameters.
     *
     * @param layer the layer these directions are for
     * @throws IllegalArgumentException when a shape or type differs from the parameter's, or a bias direction is given
     *                                  for a layer without bias
     */
    public void requireFits(WeightLayer layer) {
        requireLike(weight, layer.weight(), layer, "weight");
        if (bias != null) {
            if (layer.bias() == null) {
                throw new IllegalArgumentException("layer '" + layer.path() + "' has no bias, but a bias direction "
                        + "was given");
            }
            requireLike(bias, layer.bias(), layer, "bias");
        }
    }

    private static void requireLike(INDArray direction, Parameter p, WeightLayer layer, String what) {
        if (!Arrays.equals(direction.shape(), p.value().shape()) || direction.dataType() != p.value().dataType()) {
            throw new IllegalArgumentException("layer '" + layer.path() + "': " + what + " direction is "
                    + direction.dataType() + Arrays.toString(direction.shape()) + ", the " + what + " is "
                    + p.value().dataType() + Arrays.toString(p.value().shape()));
        }
    }
}
