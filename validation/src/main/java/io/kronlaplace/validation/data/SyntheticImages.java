package io.kronlaplace.validation.data;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A built-in, deterministic, SYNTHETIC image data set (not natural images): 32 x 32 RGB images in ten classes,
 * generated in memory from a seed, used by the demo and the tests in place of CIFAR-10.
 *
 * <h2>Generative process ({@link Variant#PATTERNS}, the default)</h2>
 * For class {@code c} in 0..9, the pattern family is {@code c % 5} and the colour family is {@code c / 5}:
 * <ol>
 *   <li>Pattern p(x, y) in [0, 1], drawn with a uniformly random orientation theta in [0, 2 pi) and a random centre
 *       offset of up to {@value #MAX_OFFSET} pixels in each direction from the image centre:
 *       <ul>
 *         <li>0: fine stripes, a sinusoidal grating of period 3.5 to 4.5 px and uniformly random phase;</li>
 *         <li>1: coarse stripes, the same with period 9 to 11 px;</li>
 *         <li>2: concentric rings, a radial sinusoid of period 5.5 to 6.5 px around the centre;</li>
 *         <li>3: one large Gaussian blob, standard deviation 5 to 7 px;</li>
 *         <li>4: two small Gaussian blobs (standard deviation 3 px) 10 to 14 px apart along direction
 *             theta.</li>
 *       </ul></li>
 *   <li>Foreground colour: hue uniform in [-40, 80] degrees (warm family, c &lt; 5) or [140, 260] degrees (cool
 *       family, c &ge; 5), saturation in [0.6, 1], value in [0.6, 1]. Background colour: a random grey level in
 *       [0.1, 0.6] with a random tint of up to +-0.04 per channel (small enough that the red-minus-blue
 *       contrast of the pattern always has the sign of its colour family).</li>
 *   <li>Pixel = background + a * p(x, y) * (foreground - background) with contrast a uniform in [0.5, 1], plus
 *       independent Gaussian noise of standard deviation {@code noiseStd} (default 0.1), clipped to [0, 1].</li>
 * </ol>
 * No single cue decides the class: colour only tells the family of five, the pattern the rest, and the orientation,
 * position, scale, contrast and background vary per image. Because orientation is uniform and the offset is
 * random, the distribution of each class is invariant to rotations and (up to borders) to small shifts: rotating or
 * shifting an image a little yields an equally likely image of the SAME class. Label-preserving rotation and
 * translation augmentation is therefore valid on this set, which is what augmentation learning should discover.
 *
 * <h2>{@link Variant#UPRIGHT_PATTERNS}</h2>
 * The classes and generative process of {@link Variant#PATTERNS}, except that theta is uniform in
 * [-{@value #UPRIGHT_SPREAD_DEGREES}, {@value #UPRIGHT_SPREAD_DEGREES}] degrees: the stripes are close to vertical
 * and the two blobs close to a horizontal line. The labels are as invariant to rotation as before, but the images
 * are not: a test image rotated by 30 or 60 degrees shows its pattern at an orientation no training image has, a
 * distribution shift for a network trained on them. (On {@link Variant#PATTERNS}, where every orientation is
 * equally likely, rotating a test image only blanks its corners.)
 *
 * <h2>{@link Variant#ORIENTED_GRATINGS}</h2>
 * The label depends on orientation only: class c is a grating (period 4 to 8 px, random phase, random colours) at
 * angle c * 18 degrees +- 4 degrees (gratings repeat every 180 degrees, so the ten classes tile the half-turn).
 * Rotating an image by 18 degrees changes its class, so rotation augmentation must NOT be learned here.
 *
 * <h2>Out-of-distribution companion</h2>
 * {@link #smoothNoise} generates images without any class structure (bilinearly upsampled 4 x 4 random colour fields
 * plus noise) of the same shape, to be used as an out-of-distribution set.
 *
 * <p>Labels are balanced (each class occurs {@code count / 10} or one more times) in a seeded random order. The
 * same (variant, noiseStd, count, seed) always gives bit-identical images on every platform: all randomness comes
 * from one {@link SplittableRandom}.
 */
public final class SyntheticImages {
    /** Image side in pixels. */
    public static final int SIZE = 32;
    /** RGB. */
    public static final int CHANNELS = 3;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Largest centre offset in pixels in each direction. */
    public static final int MAX_OFFSET = 4;

    /** Which labelling of the synthetic images. */
    public enum Variant {
        /** Class from pattern family and colour family; labels invariant to rotations and small shifts. */
        PATTERNS,
        /** Class from grating orientation; labels change under rotation. */
        ORIENTED_GRATINGS,
        /**
         * The classes of {@link #PATTERNS} (labels invariant to rotation), but every pattern drawn within
         * {@value SyntheticImages#UPRIGHT_SPREAD_DEGREES} degrees of upright: rotated images are new to a network
         * trained on them.
         */
        UPRIGHT_PATTERNS
    }

    /** Largest deviation from upright, in degrees, of the patterns of {@link Variant#UPRIGHT_PATTERNS}. */
    public static final double UPRIGHT_SPREAD_DEGREES = 15;

    private final Variant variant;
    private final double noiseStd;

    /** The default rotation-invariant patterns with pixel noise standard deviation 0.1. */
    public SyntheticImages() {
        this(Variant.PATTERNS, 0.1);
    }

    /**
     * @param variant  labelling scheme
     * @param noiseStd standard deviation of the additive pixel noise (before clipping), in [0, 1]
     */
    public SyntheticImages(Variant variant, double noiseStd) {
        if (!(noiseStd >= 0.0 && noiseStd <= 1.0)) {
            throw new IllegalArgumentException("noise std must be in [0, 1], got " + noiseStd);
        }
        this.variant = variant;
        this.noiseStd = noiseStd;
    }

    /**
     * {@code count} labelled float32 images [count, 3, 32, 32] in [0, 1], determined by {@code seed}.
     *
     * @param name  the data set's name
     * @param count number of images, >= 1
     * @param seed  seed of every random draw: the same seed gives the same images
     * @return the labelled images
     */
    public ImageDataset generate(String name, int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("image count must be non-negative, got " + count);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] labels = balancedLabels(count, random);
        int pixels = CHANNELS * SIZE * SIZE;
        float[] data = new float[Math.multiplyExact(count, pixels)];
        double[] pattern = new double[SIZE * SIZE];
        for (int i = 0; i < count; i++) {
            double[] foreground;
            double[] background;
            if (variant != Variant.ORIENTED_GRATINGS) {
                double spread = Math.toRadians(UPRIGHT_SPREAD_DEGREES);
                double theta = variant == Variant.PATTERNS ? uniform(random, 0, 2 * Math.PI)
                        : uniform(random, -spread, spread);
                drawPattern(labels[i] % 5, theta, random, pattern);
                foreground = hsvToRgb(labels[i] < 5 ? uniform(random, -40, 80) : uniform(random, 140, 260),
                        uniform(random, 0.6, 1.0), uniform(random, 0.6, 1.0));
            } else {
                double angle = Math.toRadians(labels[i] * 18.0 + uniform(random, -4, 4));
                grating(random, pattern, angle, uniform(random, 4.0, 8.0));
                foreground = hsvToRgb(uniform(random, 0, 360), uniform(random, 0.5, 1.0), uniform(random, 0.6, 1.0));
            }
            background = background(random);
            double contrast = uniform(random, 0.5, 1.0);
            render(data, i * pixels, pattern, foreground, background, contrast, random);
        }
        return new ImageDataset(name, Nd4j.createFromArray(data).castTo(DataType.FLOAT)
                .reshape('c', count, CHANNELS, SIZE, SIZE), labels, CLASSES);
    }

    /**
     * {@code count} images without class structure: a 4 x 4 grid of uniform random colours upsampled bilinearly to
     * 32 x 32, plus Gaussian noise of standard deviation 0.1, clipped to [0, 1]. Labels are all 0 and meaningless.
     *
     * @param name  the data set's name
     * @param count number of images
     * @param seed  seed of the images
     * @return float32 images {@code [count, 3, 32, 32]} with {@link #CLASSES} classes
     */
    public static ImageDataset smoothNoise(String name, int count, long seed) {
        return smoothNoise(name, count, CHANNELS, SIZE, SIZE, CLASSES, seed);
    }

    /**
     * Out-of-distribution images of any shape, generated as {@link #smoothNoise(String, int, long)} does: for
     * example one channel at 28 x 28 pixels for MNIST-like data ({@code smoothNoise("noise", 1000, 1, 28, 28, 10,
     * seed)}).
     *
     * @param name     the data set's name
     * @param count    number of images, at least 1
     * @param channels channels per image, at least 1
     * @param height   image height, at least 2
     * @param width    image width, at least 2
     * @param classes  the class count the set declares (that of the in-distribution data), at least 1
     * @param seed     seed of the images
     * @return float32 images {@code [count, channels, height, width]} in [0, 1], labels all 0
     * @throws IllegalArgumentException when a size is out of range
     */
    public static ImageDataset smoothNoise(String name, int count, int channels, int height, int width, int classes,
                                           long seed) {
        if (count < 1 || channels < 1 || height < 2 || width < 2 || classes < 1) {
            throw new IllegalArgumentException("noise images need count >= 1, channels >= 1, height and width >= 2 "
                    + "and classes >= 1, got " + count + ", " + channels + ", " + height + ", " + width + ", "
                    + classes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int pixels = channels * height * width;
        float[] data = new float[Math.multiplyExact(count, pixels)];
        double[] grid = new double[4 * 4];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < channels; c++) {
                for (int g = 0; g < grid.length; g++) {
                    grid[g] = random.nextDouble();
                }
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double v = DistributionShift.bilinear(grid, 0, 4, 4, y * 3.0 / (height - 1),
                                x * 3.0 / (width - 1));
                        data[i * pixels + (c * height + y) * width + x] =
                                (float) clip(v + 0.1 * Gaussian.sample(random));
                    }
                }
            }
        }
        return new ImageDataset(name, Nd4j.createFromArray(data).castTo(DataType.FLOAT)
                .reshape('c', count, channels, height, width), new int[count], classes);
    }

    private static int[] balancedLabels(int count, SplittableRandom random) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % CLASSES;
        }
        SeededShuffle.shuffle(labels, random);
        return labels;
    }

    private static void drawPattern(int family, double theta, SplittableRandom random, double[] pattern) {
        switch (family) {
            case 0 -> grating(random, pattern, theta, uniform(random, 3.5, 4.5));
            case 1 -> grating(random, pattern, theta, uniform(random, 9.0, 11.0));
            case 2 -> {
                double[] centre = centre(random);
                double period = uniform(random, 5.5, 6.5);
                fill(pattern, (x, y) -> 0.5 + 0.5 * Math.cos(2 * Math.PI * Math.hypot(x - centre[0], y - centre[1])
                        / period));
            }
            case 3 -> {
                double[] centre = centre(random);
                double sigma = uniform(random, 5.0, 7.0);
                fill(pattern, (x, y) -> blob(x, y, centre[0], centre[1], sigma));
            }
            default -> {
                double[] centre = centre(random);
                double half = uniform(random, 5.0, 7.0);
                double dx = half * Math.cos(theta);
                double dy = half * Math.sin(theta);
                fill(pattern, (x, y) -> Math.min(1.0, blob(x, y, centre[0] + dx, centre[1] + dy, 3.0)
                        + blob(x, y, centre[0] - dx, centre[1] - dy, 3.0)));
            }
        }
    }

    /** A sinusoidal grating whose stripes run perpendicular to direction theta, with random phase. */
    private static void grating(SplittableRandom random, double[] pattern, double theta, double period) {
        double phase = uniform(random, 0, 2 * Math.PI);
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        fill(pattern, (x, y) -> 0.5 + 0.5 * Math.cos(2 * Math.PI * (x * cos + y * sin) / period + phase));
    }

    private static double blob(double x, double y, double cx, double cy, double sigma) {
        double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        return Math.exp(-d2 / (2 * sigma * sigma));
    }

    private static double[] centre(SplittableRandom random) {
        double middle = (SIZE - 1) / 2.0;
        return new double[] {middle + uniform(random, -MAX_OFFSET, MAX_OFFSET),
            middle + uniform(random, -MAX_OFFSET, MAX_OFFSET)};
    }

    private interface Field {
        double at(double x, double y);
    }

    private static void fill(double[] pattern, Field field) {
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                pattern[y * SIZE + x] = field.at(x, y);
            }
        }
    }

    private static double[] background(SplittableRandom random) {
        double grey = uniform(random, 0.1, 0.6);
        return new double[] {grey + uniform(random, -0.04, 0.04), grey + uniform(random, -0.04, 0.04),
            grey + uniform(random, -0.04, 0.04)};
    }

    private void render(float[] data, int offset, double[] pattern, double[] foreground, double[] background,
            double contrast, SplittableRandom random) {
        for (int c = 0; c < CHANNELS; c++) {
            double delta = contrast * (foreground[c] - background[c]);
            for (int p = 0; p < SIZE * SIZE; p++) {
                double noise = noiseStd > 0 ? noiseStd * Gaussian.sample(random) : 0.0;
                data[offset + c * SIZE * SIZE + p] = (float) clip(background[c] + pattern[p] * delta + noise);
            }
        }
    }

    /** HSV (hue in degrees, any real; saturation and value in [0, 1]) to RGB in [0, 1]. */
    static double[] hsvToRgb(double hueDegrees, double saturation, double value) {
        double h = ((hueDegrees % 360) + 360) % 360 / 60.0;
        double chroma = value * saturation;
        double x = chroma * (1 - Math.abs(h % 2 - 1));
        double m = value - chroma;
        double[] rgb = switch ((int) h) {
            case 0 -> new double[] {chroma, x, 0};
            case 1 -> new double[] {x, chroma, 0};
            case 2 -> new double[] {0, chroma, x};
            case 3 -> new double[] {0, x, chroma};
            case 4 -> new double[] {x, 0, chroma};
            default -> new double[] {chroma, 0, x};
        };
        return new double[] {rgb[0] + m, rgb[1] + m, rgb[2] + m};
    }

    private static double uniform(SplittableRandom random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }

    private static double clip(double v) {
        return Math.max(0.0, Math.min(1.0, v));
    }
}
