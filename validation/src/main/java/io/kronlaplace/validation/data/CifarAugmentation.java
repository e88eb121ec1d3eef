package io.kronlaplace.validation.data;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The standard CIFAR training augmentation: pad each image by {@code padding} zero pixels on every side, take a
 * random crop of the original size, then flip it horizontally with probability 1/2.
 *
 * <p>Every image draws its own offsets (uniform over the 2 * padding + 1 positions in each direction) and flip from
 * one {@link SplittableRandom} stream, so a given seed reproduces the same sequence of augmented batches. Padding is
 * with zeros in whatever space the images are in: apply the augmentation after {@link ChannelNormalization} to pad
 * with the channel mean, before it to pad with black.
 */
public final class CifarAugmentation {
    /** The padding of the CIFAR recipe (Zagoruyko and Komodakis; He et al.). */
    public static final int CIFAR_PADDING = 4;

    private final SplittableRandom random;
    private final int padding;

    /**
     * Crop with padding 4 and horizontal flips, seeded.
     *
     * @param seed seed of the crop offsets and flips
     */
    public CifarAugmentation(long seed) {
        this(seed, CIFAR_PADDING);
    }

    /**
     * @param seed    seed of the random stream
     * @param padding zero padding per side in pixels (non-negative)
     */
    public CifarAugmentation(long seed, int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be non-negative, got " + padding);
        }
        this.random = new SplittableRandom(seed);
        this.padding = padding;
    }

    /**
     * A new data set with every image augmented (labels unchanged).
     *
     * @param batch the images to augment
     * @return a data set with the same name and labels and augmented images
     */
    public ImageDataset apply(ImageDataset batch) {
        return batch.withImages(batch.name(), apply(batch.images()));
    }

    /**
     * Augments a batch [N, C, H, W]; returns a new tensor of the same shape and type.
     *
     * @param batch images {@code N x C x H x W}
     * @return the augmented images
     */
    public INDArray apply(INDArray batch) {
        if (batch.rank() != 4) {
            throw new IllegalArgumentException("augmentation needs NCHW images, got rank " + batch.rank());
        }
        int channels = (int) batch.size(1);
        int height = (int) batch.size(2);
        int width = (int) batch.size(3);
        return PixelChunks.map(batch, (first, n, in, out) -> {
            for (int i = 0; i < n; i++) {
                int dy = random.nextInt(2 * padding + 1) - padding;
                int dx = random.nextInt(2 * padding + 1) - padding;
                boolean flip = random.nextBoolean();
                shiftAndFlip(in, out, i * channels * height * width, channels, height, width, dy, dx, flip);
            }
        });
    }

    /**
     * out(y, x) = in(y + dy, x' + dx) where x' = W - 1 - x under a flip, x otherwise; zero outside the image. A crop
     * at offset (padding + dy, padding + dx) of the zero-padded image is exactly this shift.
     */
    static void shiftAndFlip(double[] in, double[] out, int offset, int channels, int height, int width, int dy,
            int dx, boolean flip) {
        for (int c = 0; c < channels; c++) {
            int plane = offset + c * height * width;
            for (int y = 0; y < height; y++) {
                int sy = y + dy;
                for (int x = 0; x < width; x++) {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    out[plane + y * width + x] = sy >= 0 && sy < height && sx >= 0 && sx < width
                            ? in[plane + sy * width + sx] : 0.0;
                }
            }
        }
    }
}
