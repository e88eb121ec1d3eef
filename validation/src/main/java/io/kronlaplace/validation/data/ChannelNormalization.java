package io.kronlaplace.validation.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-channel standardisation x' = (x - mean_c) / std_c.
 *
 * <p>Fit the statistics on the training split only ({@link #fit(ImageDataset)}) and apply the same object to the
 * validation, test, shifted and out-of-distribution sets, so that no evaluation data leaks into preprocessing.
 *
 * @param mean per-channel mean of the fitting set
 * @param std  per-channel population standard deviation of the fitting set (positive)
 */
public record ChannelNormalization(double[] mean, double[] std) {

    /**
     * Validates lengths and positivity; copies the arrays.
     *
     * @param mean per-channel mean of the fitting set
     * @param std  per-channel population standard deviation of the fitting set, each > 0
     * @throws IllegalArgumentException when the lengths differ or are 0, a mean is not finite or a deviation is not
     *                                  finite and positive
     */
    public ChannelNormalization {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need one entry per channel, got " + mean.length
                    + " and " + std.length);
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0.0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + c + ": need finite mean and positive std, got mean "
                        + mean[c] + ", std " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Channel means and population standard deviations of {@code train} over all images and pixels, accumulated in
     * double precision a chunk of images at a time (the full CIFAR-10 training set is never copied as float64).
     *
     * @param train the training images
     * @return the normalisation fitted to them
     */
    public static ChannelNormalization fit(ImageDataset train) {
        if (train.size() == 0) {
            throw new IllegalArgumentException(train.name() + ": cannot fit normalisation on an empty data set");
        }
        int channels = train.channels();
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        INDArray images = train.images();
        long n = images.size(0);
        for (long first = 0; first < n; first += PixelChunks.CHUNK) {
            INDArray chunk = images.get(NDArrayIndex.interval(first, Math.min(n, first + PixelChunks.CHUNK)),
                    NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).castTo(DataType.DOUBLE);
            double[] s = chunk.sum(0, 2, 3).toDoubleVector();
            double[] q = chunk.mul(chunk).sum(0, 2, 3).toDoubleVector();
            for (int c = 0; c < channels; c++) {
                sum[c] += s[c];
                sumSq[c] += q[c];
            }
        }
        double count = (double) n * train.height() * train.width();
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sum[c] / count;
            std[c] = Math.sqrt(Math.max(0.0, sumSq[c] / count - mean[c] * mean[c]));
            // rounding leaves a tiny positive variance for a constant channel: treat that as zero
            if (!(std[c] > 1e-7 * Math.max(1.0, Math.abs(mean[c])))) {
                throw new IllegalArgumentException(train.name() + ": channel " + c + " is constant (std "
                        + std[c] + "), cannot standardise");
            }
        }
        return new ChannelNormalization(mean, std);
    }

    /**
     * The data set with every channel standardised (same name, labels and type).
     *
     * @param data images with the fitted number of channels
     * @return the standardised data set
     */
    public ImageDataset apply(ImageDataset data) {
        return data.withImages(data.name(), apply(data.images()));
    }

    /**
     * Standardises a tensor [N, C, H, W] with C equal to the number of fitted channels; returns a new tensor.
     *
     * @param images images {@code N x C x H x W}
     * @return (images - mean) / std per channel
     */
    public INDArray apply(INDArray images) {
        if (images.rank() != 4 || images.size(1) != mean.length) {
            throw new IllegalArgumentException("expected [N, " + mean.length + ", H, W], got "
                    + Arrays.toString(images.shape()));
        }
        INDArray m = Nd4j.createFromArray(mean).castTo(images.dataType()).reshape(1, mean.length, 1, 1);
        INDArray s = Nd4j.createFromArray(std).castTo(images.dataType()).reshape(1, std.length, 1, 1);
        return images.sub(m).divi(s);
    }

    /**
     * A copy of the per-channel means.
     *
     * @return the mean of each channel
     */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /**
     * A copy of the per-channel standard deviations.
     *
     * @return the standard deviation of each channel
     */
    @Override
    public double[] std() {
        return std.clone();
    }

    /**
     * Channel count.
     *
     * @return the number of channels C
     */
    public int channels() {
        return mean.length;
    }
}
