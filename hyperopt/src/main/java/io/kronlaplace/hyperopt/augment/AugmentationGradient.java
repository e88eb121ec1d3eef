package io.kronlaplace.hyperopt.augment;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Result of {@link AffineAugmentation#vjp}: the gradient of a scalar loss w.r.t. the augmentation parameters and,
 * when asked for, w.r.t. the original images.
 *
 * @param eta    dL/d eta, one value per {@link AffineGenerator} in declaration order (the array is owned by the record)
 * @param images dL/d(input images), {@code [N, C, H, W]} in the images' data type, or null when not requested
 */
public record AugmentationGradient(double[] eta, INDArray images) {
    /**
     * The gradient's component of one generator.
     *
     * @param generator the generator k
     * @return dL/d eta_k
     */
    public double eta(AffineGenerator generator) {
        return eta[generator.ordinal()];
    }
}
