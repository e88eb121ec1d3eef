package io.kronlaplace.validation.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Shape conversions between image data sets (for using one data set as out-of-distribution input of another). */
public final class ImageTransforms {
    private ImageTransforms() {
    }

    /**
     * Places every image centred on a canvas of the given size: larger images are centre-cropped, smaller ones are
     * padded with {@code fill}; a single-channel image is replicated into every output channel (grey to RGB).
     *
     * @param data   the images to place
     * @param channels output channels: equal to the input's, or any count when the input has one channel
     * @param height canvas height in pixels, >= 1
     * @param width  canvas width in pixels, >= 1
     * @param fill     value of padded pixels
     * @return a data set of {@code N x channels x height x width} images with the same name and labels
     */
    public static ImageDataset toCanvas(ImageDataset data, int channels, int height, int width, double fill) {
        int inChannels = data.channels();
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("canvas must be positive, got " + channels + "x" + height + "x"
                    + width);
        }
        if (inChannels != channels && inChannels != 1) {
            throw new IllegalArgumentException(data.name() + ": cannot map " + inChannels + " channels to "
                    + channels + " (only 1 channel can be replicated)");
        }
        int inHeight = data.height();
        int inWidth = data.width();
        int top = (height - inHeight) / 2;
        int left = (width - inWidth) / 2;
        int n = data.size();
        INDArray source = data.images();
        double[] out = new double[Math.multiplyExact(n, channels * height * width)];
        for (int first = 0; first < n; first += PixelChunks.CHUNK) {
            int last = Math.min(n, first + PixelChunks.CHUNK);
            double[] in = Nd4j.toFlattened('c', source.get(NDArrayIndex.interval(first, last), NDArrayIndex.all(),
                    NDArrayIndex.all(), NDArrayIndex.all())).toDoubleVector();
            for (int i = first; i < last; i++) {
                for (int c = 0; c < channels; c++) {
                    int inPlane = ((i - first) * inChannels + (inChannels == 1 ? 0 : c)) * inHeight * inWidth;
                    int outPlane = (i * channels + c) * height * width;
                    for (int y = 0; y < height; y++) {
                        int sy = y - top;
                        for (int x = 0; x < width; x++) {
                            int sx = x - left;
                            out[outPlane + y * width + x] = sy >= 0 && sy < inHeight && sx >= 0 && sx < inWidth
                                    ? in[inPlane + sy * inWidth + sx] : fill;
                        }
                    }
                }
            }
        }
        INDArray images = Nd4j.createFromArray(out).reshape('c', n, channels, height, width)
                .castTo(source.dataType());
        return new ImageDataset(data.name(), images, data.labels(), data.numClasses());
    }
}
