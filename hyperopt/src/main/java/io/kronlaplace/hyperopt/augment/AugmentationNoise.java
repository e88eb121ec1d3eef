package io.kronlaplace.hyperopt.augment;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The random coefficients {@code eps[n, s, k] ~ U[-1, 1]} of one batch of augmentations: for each of N examples,
 * S samples and the {@link AffineGenerator#COUNT} generators. Immutable: draw it once and pass the same object to
 * {@link AffineAugmentation#apply}, {@link AffineAugmentation#vjp} and {@link AffineAugmentation#jvp} so that all of
 * them see the same transforms (the noise is held fixed while eta is differentiated or finite-differenced).
 */
public final class AugmentationNoise {
    private final int examples;
    private final int samples;
    private final double[] epsilon;

    private AugmentationNoise(int examples, int samples, double[] epsilon) {
        this.examples = examples;
        this.samples = samples;
        this.epsilon = epsilon;
    }

    /**
     * Draws fresh noise from a seeded stream.
     *
     * @param examples N, the number of images in the batch
     * @param samples  S, augmented copies per image
     * @param random   the stream (advanced by N * S * 6 draws)
     * @return noise of N x S x 6 values drawn uniformly from [-1, 1)
     * @throws IllegalArgumentException when N or S is below 1
     * @throws ArithmeticException      when N * S * 6 overflows an int
     */
    public static AugmentationNoise draw(int examples, int samples, SplittableRandom random) {
        requireSizes(examples, samples);
        double[] eps = new double[Math.multiplyExact(Math.multiplyExact(examples, samples), AffineGenerator.COUNT)];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = 2.0 * random.nextDouble() - 1.0;
        }
        return new AugmentationNoise(examples, samples, eps);
    }

    /**
     * Draws fresh noise from a new stream with the given seed.
     *
     * @param examples N, the number of images in the batch
     * @param samples  S, augmented copies per image
     * @param seed     seed of a new {@link SplittableRandom}: the same seed gives the same noise
     * @return noise of N x S x 6 values drawn uniformly from [-1, 1)
     * @throws IllegalArgumentException when N or S is below 1
     */
    public static AugmentationNoise draw(int examples, int samples, long seed) {
        return draw(examples, samples, new SplittableRandom(seed));
    }

    /**
     * Noise with given values.
     *
     * @param examples N, the number of images in the batch, &gt;= 1
     * @param samples  S, augmented copies per image, &gt;= 1
     * @param epsilon  N * S * 6 values in [-1, 1], index {@code (n * S + s) * 6 + k} (copied)
     * @return the noise
     * @throws IllegalArgumentException when N or S is below 1, or epsilon has the wrong length or a value outside
     *                                  [-1, 1] (NaN included)
     */
    public static AugmentationNoise of(int examples, int samples, double[] epsilon) {
        requireSizes(examples, samples);
        long expected = (long) examples * samples * AffineGenerator.COUNT;
        if (epsilon.length != expected) {
            throw new IllegalArgumentException("noise for " + examples + " examples x " + samples + " samples needs "
                    + expected + " values, got " + epsilon.length);
        }
        for (int i = 0; i < epsilon.length; i++) {
            if (!(epsilon[i] >= -1.0 && epsilon[i] <= 1.0)) {
                throw new IllegalArgumentException("noise values must lie in [-1, 1], got " + epsilon[i]
                        + " at index " + i);
            }
        }
        return new AugmentationNoise(examples, samples, epsilon.clone());
    }

    /**
     * The number of images this noise is for.
     *
     * @return N, &gt;= 1
     */
    public int examples() {
        return examples;
    }

    /**
     * The number of augmented copies per image.
     *
     * @return S, &gt;= 1
     */
    public int samples() {
        return samples;
    }

    /**
     * The number of augmented images.
     *
     * @return N * S, the rows of the augmented batch
     */
    public int rows() {
        return examples * samples;
    }

    /**
     * The noise of a contiguous block of examples, e.g. for a chunk of a batch.
     *
     * @param from first example, inclusive, &gt;= 0
     * @param to   last example, exclusive, above {@code from} and at most N
     * @return the noise of examples {@code [from, to)}, all samples
     * @throws IllegalArgumentException when the range is empty or reaches outside [0, N)
     */
    public AugmentationNoise examples(int from, int to) {
        if (from < 0 || to > examples || from >= to) {
            throw new IllegalArgumentException("example range [" + from + ", " + to + ") is empty or outside [0, "
                    + examples + ")");
        }
        int width = samples * AffineGenerator.COUNT;
        return new AugmentationNoise(to - from, samples,
                Arrays.copyOfRange(epsilon, from * width, to * width));
    }

    /**
     * One coefficient.
     *
     * @param row augmented row {@code n * S + s}, in [0, N * S)
     * @param k   generator index, in [0, {@link AffineGenerator#COUNT})
     * @return eps[n, s, k], in [-1, 1]
     */
    public double epsilon(int row, int k) {
        return epsilon[row * AffineGenerator.COUNT + k];
    }

    private static void requireSizes(int examples, int samples) {
        if (examples < 1 || samples < 1) {
            throw new IllegalArgumentException("noise needs at least one example and one sample, got examples="
                    + examples + ", samples=" + samples);
        }
    }
}
