package io.kronlaplace.validation.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled images: a floating-point tensor of shape [N, C, H, W] (NCHW) and one integer class label per image.
 *
 * <p>Pixel values are whatever the producer stored (the readers and the synthetic generator give values in [0, 1];
 * {@link ChannelNormalization} standardises them). Labels lie in 0..{@code numClasses - 1}. The tensor is never
 * modified in place by this class; operations return new data sets.
 */
public final class ImageDataset implements SupervisedDataset<ImageDataset> {
    private final String name;
    private final INDArray images;
    private final int[] labels;
    private final int numClasses;

    /**
     * @param name       short name for reports and messages
     * @param images     floating-point tensor [N, C, H, W]
     * @param labels     N labels in 0..numClasses-1
     * @param numClasses number of classes (at least 1)
     */
    public ImageDataset(String name, INDArray images, int[] labels, int numClasses) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException(name + ": images must be NCHW (rank 4), got shape "
                    + Arrays.toString(images.shape()));
        }
        if (!images.dataType().isFPType()) {
            throw new IllegalArgumentException(name + ": images must be floating point, got " + images.dataType());
        }
        if (images.size(0) != labels.length) {
            throw new IllegalArgumentException(name + ": " + images.size(0) + " images but " + labels.length
                    + " labels");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException(name + ": number of classes must be positive, got " + numClasses);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of example " + i
                        + " outside 0.." + (numClasses - 1));
            }
        }
        this.name = name;
        this.images = images;
        this.labels = labels.clone();
        this.numClasses = numClasses;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    /**
     * The image tensor [N, C, H, W] (shared, do not modify).
     *
     * @return the images, {@code N x C x H x W}
     */
    public INDArray images() {
        return images;
    }

    /** The images (the same tensor as {@link #images()}). */
    @Override
    public INDArray inputs() {
        return images;
    }

    /** The labels as a LONG vector of N class indices (a new array). */
    @Override
    public INDArray targets() {
        long[] y = new long[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i];
        }
        return Nd4j.createFromArray(y);
    }

    /**
     * A copy of the labels.
     *
     * @return the class label of every image, in 0..numClasses()-1
     */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Label of example i.
     *
     * @param i index of the example, in 0..N-1
     * @return its class label
     */
    public int label(int i) {
        return labels[i];
    }

    /**
     * Number of classes.
     *
     * @return the number of classes the labels range over
     */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Channels C.
     *
     * @return the number C of channels
     */
    public int channels() {
        return (int) images.size(1);
    }

    /**
     * Height H in pixels.
     *
     * @return the image height H
     */
    public int height() {
        return (int) images.size(2);
    }

    /**
     * Width W in pixels.
     *
     * @return the image width W
     */
    public int width() {
        return (int) images.size(3);
    }

    /**
     * The same data set under another name.
     *
     * @param newName the new name
     * @return a data set sharing this one's images and labels
     */
    public ImageDataset withName(String newName) {
        return new ImageDataset(newName, images, labels, numClasses);
    }

    /**
     * The same labels with another image tensor of identical shape (for transforms).
     *
     * @param newName   the new name
     * @param newImages images of the shape {@code N x C x H x W} of this data set's
     * @return a data set with the new images and this one's labels
     */
    public ImageDataset withImages(String newName, INDArray newImages) {
        if (!Arrays.equals(newImages.shape(), images.shape())) {
            throw new IllegalArgumentException(name + ": replacement images have shape "
                    + Arrays.toString(newImages.shape()) + ", expected " + Arrays.toString(images.shape()));
        }
        return new ImageDataset(newName, newImages, labels, numClasses);
    }

    /**
     * The images cast to another floating-point type (float32 for training, float64 for tests).
     *
     * @param type the floating-point type of the new images
     * @return a data set with the same name and labels
     */
    public ImageDataset castTo(DataType type) {
        return type == images.dataType() ? this : new ImageDataset(name, images.castTo(type), labels, numClasses);
    }

    @Override
    public ImageDataset subset(int[] indices) {
        int n = size();
        for (int index : indices) {
            if (index < 0 || index >= n) {
                throw new IndexOutOfBoundsException(name + ": index " + index + " outside 0.." + (n - 1));
            }
        }
        long[] shape = images.shape();
        long perImage = shape[1] * shape[2] * shape[3];
        INDArray picked;
        if (indices.length == 0) {
            picked = Nd4j.create(images.dataType(), 0, shape[1], shape[2], shape[3]);
        } else {
            INDArray flat = images.reshape('c', n, perImage);
            picked = Nd4j.pullRows(flat, 1, indices).reshape('c', indices.length, shape[1], shape[2], shape[3]);
        }
        int[] pickedLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            pickedLabels[i] = labels[indices[i]];
        }
        return new ImageDataset(name, picked, pickedLabels, numClasses);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(images.shape()) + " " + images.dataType() + ", " + numClasses
                + " classes";
    }
}
