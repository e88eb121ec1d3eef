package io.kronlaplace.hyperopt.augment;

import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.predictive.GaussianPrediction;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.MapPredictive;
import io.kronlaplace.laplace.predictive.Predictive;
import io.kronlaplace.nn.Network;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The predictive of the invariant model {@link InvariantModel}: each image is augmented S times at the learned
 * magnitudes eta, and a predictive over S rows per example ({@link MapPredictive} or {@link GlmPredictive}) averages
 * the network's outputs over the copies. For the Laplace GLM predictive the Gaussian over the averaged outputs has the
 * covariance {@code J_bar P^-1 J_bar^T} with {@code J_bar} the mean of the copies' Jacobians
 * ({@link LaplacePosterior#functionalPrediction(INDArray, int)}); the posterior should be fitted on augmented batches
 * with {@code sharedRowsPerExample = S}, as online training fits it.
 *
 * <p>The copies of a call's images are drawn from a stream seeded by the predictive's seed, so the same images give
 * the same prediction; {@link #augment(INDArray, long)} draws them for any seed.
 */
public final class InvariantPredictive implements Predictive {
    private final Predictive perCopy;
    private final AffineAugmentation augmentation;
    private final int samples;
    private final long seed;

    private InvariantPredictive(Predictive perCopy, double[] eta, int samples, long seed) {
        this.perCopy = perCopy;
        this.augmentation = new AffineAugmentation(eta);
        this.samples = samples;
        this.seed = seed;
    }

    /**
     * The MAP predictive of the invariant model: softmax (or Gaussian with noise sigma) of the averaged outputs.
     *
     * @param network the trained network
     * @param eta     the learned augmentation parameters, one per {@link AffineGenerator} (copied)
     * @param samples S, augmented copies per example, at least 1
     * @param sigma   observation noise of regression outputs (1 for classification)
     * @param seed    seed of the augmentation draws
     * @return the predictive
     * @throws IllegalArgumentException when S is below 1, eta is not one finite value per generator, or sigma is not
     *                                  finite and positive
     */
    public static InvariantPredictive map(Network network, double[] eta, int samples, double sigma, long seed) {
        requireSamples(samples);
        return new InvariantPredictive(new MapPredictive(network, sigma, samples), eta, samples, seed);
    }

    /**
     * The Laplace GLM predictive of the invariant model (probit link for {@link #classify}).
     *
     * @param posterior a posterior of the invariant model, fitted
     * @param eta       the learned augmentation parameters, one per {@link AffineGenerator} (copied)
     * @param samples   S, augmented copies per example, at least 1
     * @param seed      seed of the augmentation draws
     * @return the predictive
     * @throws IllegalArgumentException when S is below 1 or eta is not one finite value per generator
     */
    public static InvariantPredictive glm(LaplacePosterior posterior, double[] eta, int samples, long seed) {
        requireSamples(samples);
        return new InvariantPredictive(new GlmPredictive(posterior, samples), eta, samples, seed);
    }

    /**
     * S augmented copies of each image at the learned magnitudes.
     *
     * @param images {@code [N, C, H, W]}
     * @param seed   seed of the augmentation draws
     * @return {@code [N*S, C, H, W]}, the copies of image n at rows {@code n*S .. n*S + S - 1}
     */
    public INDArray augment(INDArray images, long seed) {
        return augment(augmentation, images, samples, seed);
    }

    /**
     * S augmented copies of each image (the rows an invariant model's predictive takes).
     *
     * @param augmentation the augmentation at the learned eta
     * @param images       {@code [N, C, H, W]}
     * @param samples      S, at least 1
     * @param seed         seed of the augmentation draws
     * @return {@code [N*S, C, H, W]}, the copies of image n at rows {@code n*S .. n*S + S - 1}
     * @throws IllegalArgumentException when the images are not {@code [N, C, H, W]} or S is below 1
     */
    public static INDArray augment(AffineAugmentation augmentation, INDArray images, int samples, long seed) {
        Objects.requireNonNull(augmentation, "augmentation");
        requireSamples(samples);
        if (images.rank() != 4) {
            throw new IllegalArgumentException("the invariant model augments images [N, C, H, W], got rank "
                    + images.rank());
        }
        return augmentation.apply(images, AugmentationNoise.draw(Math.toIntExact(images.size(0)), samples, seed));
    }

    /**
     * S, augmented copies per example.
     *
     * @return S
     */
    public int samples() {
        return samples;
    }

    /**
     * Class probabilities of the invariant model.
     *
     * @param images {@code [N, C, H, W]}
     * @return {@code N x K} float64, rows summing to 1
     */
    @Override
    public INDArray classify(INDArray images) {
        return perCopy.classify(augment(images, seed));
    }

    /**
     * The Gaussian predictive of an invariant regression model.
     *
     * @param images {@code [N, C, H, W]}
     * @return mean, functional variance and predictive variance, each {@code N x K}
     */
    @Override
    public GaussianPrediction regress(INDArray images) {
        return perCopy.regress(augment(images, seed));
    }

    private static void requireSamples(int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("augmented copies per example must be >= 1, got " + samples);
        }
    }
}
