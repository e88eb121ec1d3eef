package io.kronlaplace.validation.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds shifted and out-of-distribution evaluation sets from any image data set: rotations (bilinear
 * interpolation), additive Gaussian noise, and a different data set as out-of-distribution.
 */
public final class DistributionShift {
    private DistributionShift() {
    }

    /**
     * The clean set itself, as the level-0 reference of every shift curve.
     *
     * @param test the clean test set
     * @return the set as a {@link ShiftKind#NONE} shift of level 0
     */
    public static ShiftedDataset clean(ImageDataset test) {
        return new ShiftedDataset(ShiftKind.NONE, 0.0, test);
    }

    /**
     * One rotated copy of {@code data} per angle (degrees, counter-clockwise as displayed).
     *
     * @param data    the clean images
     * @param degrees the rotation angles, in degrees
     * @return one {@link ShiftKind#ROTATION} set per angle, in the order given
     */
    public static List<ShiftedDataset> rotations(ImageDataset data, double... degrees) {
        List<ShiftedDataset> sets = new ArrayList<>();
        for (double angle : degrees) {
            String name = String.format(Locale.ROOT, "%s rotated %s deg", data.name(), format(angle));
            sets.add(new ShiftedDataset(ShiftKind.ROTATION, angle, rotate(data, angle).withName(name)));
        }
        return sets;
    }

    /**
     * One noisy copy of {@code data} per standard deviation; copy k uses seed {@code seed + k}.
     *
     * @param data the clean images
     * @param seed seed of the first copy's noise
     * @param stds the noise standard deviations, in the pixel units of {@code data}
     * @return one {@link ShiftKind#GAUSSIAN_NOISE} set per standard deviation, in the order given
     */
    public static List<ShiftedDataset> gaussianNoise(ImageDataset data, long seed, double... stds) {
        List<ShiftedDataset> sets = new ArrayList<>();
        for (int k = 0; k < stds.length; k++) {
            String name = String.format(Locale.ROOT, "%s noise std %s", data.name(), format(stds[k]));
            sets.add(new ShiftedDataset(ShiftKind.GAUSSIAN_NOISE, stds[k],
                    addGaussianNoise(data, stds[k], seed + k).withName(name)));
        }
        return sets;
    }

    /**
     * A different data set used as out-of-distribution inputs for {@code reference}. Image shapes must match (use
     * {@link ImageTransforms#toCanvas} to bring, say, 28 x 28 grey MNIST onto a 32 x 32 x 3 canvas).
     *
     * @param reference the in-distribution test set
     * @param other     images of other classes, of the reference's image shape
     * @return {@code other} as a {@link ShiftKind#OUT_OF_DISTRIBUTION} set of level 0
     */
    public static ShiftedDataset outOfDistribution(ImageDataset reference, ImageDataset other) {
        if (reference.channels() != other.channels() || reference.height() != other.height()
                || reference.width() != other.width()) {
            throw new IllegalArgumentException("out-of-distribution set " + other.name() + " has images "
                    + other.channels() + "x" + other.height() + "x" + other.width() + " but " + reference.name()
                    + " has " + reference.channels() + "x" + reference.height() + "x" + reference.width()
                    + "; convert it with ImageTransforms.toCanvas first");
        }
        return new ShiftedDataset(ShiftKind.OUT_OF_DISTRIBUTION, 0.0, other);
    }

    /**
     * Rotates every image by {@code degrees} counter-clockwise (as displayed, y axis pointing down) about the image
     * centre ((W - 1) / 2, (H - 1) / 2) with bilinear interpolation; source positions outside the image read 0.
     *
     * @param data    the images
     * @param degrees the angle, finite
     * @return the rotated images, same name and labels
     * @throws IllegalArgumentException when the angle is not finite
     */
    public static ImageDataset rotate(ImageDataset data, double degrees) {
        if (!Double.isFinite(degrees)) {
            throw new IllegalArgumentException("rotation angle must be finite, got " + degrees);
        }
        double[] angles = new double[data.size()];
        Arrays.fill(angles, degrees);
        return rotateEach(data, angles);
    }

    /**
     * Rotates each image by its own random angle, uniform in {@code [-maxDegrees, maxDegrees]}, drawn in example
     * order from a stream seeded by {@code seed} (the same seed gives the same angles), as {@link #rotate} does for
     * one angle: a test set under random orientations, or the random-rotation shift of the learned-invariance
     * literature.
     *
     * @param data       the images
     * @param maxDegrees the largest absolute angle, finite and non-negative
     * @param seed       seed of the angles
     * @return a {@link ShiftKind#ROTATION} set of level {@code maxDegrees}, named after it
     * @throws IllegalArgumentException when the largest angle is negative or not finite
     */
    public static ShiftedDataset randomRotations(ImageDataset data, double maxDegrees, long seed) {
        if (!(maxDegrees >= 0.0) || !Double.isFinite(maxDegrees)) {
            throw new IllegalArgumentException("largest rotation angle must be finite and non-negative, got "
                    + maxDegrees);
        }
        double[] angles = randomAngles(data.size(), maxDegrees, seed);
        String name = String.format(Locale.ROOT, "%s rotated up to %s deg", data.name(), format(maxDegrees));
        return new ShiftedDataset(ShiftKind.ROTATION, maxDegrees, rotateEach(data, angles).withName(name));
    }

    /**
     * The angles of {@link #randomRotations}: {@code count} draws uniform in {@code [-maxDegrees, maxDegrees]}.
     *
     * @param count      number of angles
     * @param maxDegrees the largest absolute angle
     * @param seed       seed of the stream
     * @return the angles in degrees, in example order
     */
    public static double[] randomAngles(int count, double maxDegrees, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] angles = new double[count];
        for (int i = 0; i < count; i++) {
            angles[i] = (2.0 * random.nextDouble() - 1.0) * maxDegrees;
        }
        return angles;
    }

    /** Rotates image i by {@code degrees[i]} (see {@link #rotate}). */
    private static ImageDataset rotateEach(ImageDataset data, double[] degrees) {
        int channels = data.channels();
        int height = data.height();
        int width = data.width();
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        INDArray rotated = PixelChunks.map(data.images(), (first, n, in, out) -> {
            int planeSize = height * width;
            for (int image = 0; image < n; image++) {
                double radians = Math.toRadians(degrees[first + image]);
                double cos = Math.cos(radians);
                double sin = Math.sin(radians);
                for (int plane = image * channels; plane < (image + 1) * channels; plane++) {
                    int base = plane * planeSize;
                    for (int y = 0; y < height; y++) {
                        double v = cy - y;
                        for (int x = 0; x < width; x++) {
                            double u = x - cx;
                            // inverse rotation: the output pixel at (u, v) comes from R(-theta) (u, v)
                            double us = cos * u + sin * v;
                            double vs = -sin * u + cos * v;
                            out[base + y * width + x] = bilinear(in, base, height, width, cy - vs, cx + us);
                        }
                    }
                }
            }
        });
        return data.withImages(data.name(), rotated);
    }

    /**
     * Adds independent N(0, std^2) noise to every pixel (no clipping), drawn from a stream seeded by {@code seed}.
     *
     * @param data the clean images
     * @param std  the noise standard deviation, >= 0
     * @param seed seed of the noise stream
     * @return a data set with the same name and labels and noisy images
     */
    public static ImageDataset addGaussianNoise(ImageDataset data, double std, long seed) {
        if (!(std >= 0.0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("noise std must be finite and non-negative, got " + std);
        }
        SplittableRandom random = new SplittableRandom(seed);
        INDArray noisy = PixelChunks.map(data.images(), (first, n, in, out) -> {
            for (int i = 0; i < in.length; i++) {
                out[i] = in[i] + std * Gaussian.sample(random);
            }
        });
        return data.withImages(data.name(), noisy);
    }

    /** Bilinear sample of one plane at fractional (row, col); neighbours outside the plane count as 0. */
    static double bilinear(double[] pixels, int base, int height, int width, double row, double col) {
        int r0 = (int) Math.floor(row);
        int c0 = (int) Math.floor(col);
        double fr = row - r0;
        double fc = col - c0;
        return (1 - fr) * ((1 - fc) * pixel(pixels, base, height, width, r0, c0)
                + fc * pixel(pixels, base, height, width, r0, c0 + 1))
                + fr * ((1 - fc) * pixel(pixels, base, height, width, r0 + 1, c0)
                + fc * pixel(pixels, base, height, width, r0 + 1, c0 + 1));
    }

    private static double pixel(double[] pixels, int base, int height, int width, int row, int col) {
        return row >= 0 && row < height && col >= 0 && col < width ? pixels[base + row * width + col] : 0.0;
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
