package io.kronlaplace.spark;

import io.kronlaplace.validation.data.ImageDataset;
import java.io.Serial;
import java.io.Serializable;

/**
 * An image data set as plain Java values, for shipping to executors; rebuilt with the same name, images (same type,
 * bit-identical values), labels and class count.
 *
 * @param name       the data set's name
 * @param images     the images
 * @param labels     the labels
 * @param numClasses the number of classes
 */
record ShippedImages(String name, ShippedArray images, int[] labels, int numClasses) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    static ShippedImages of(ImageDataset data) {
        return new ShippedImages(data.name(), ShippedArray.of(data.images()), data.labels().clone(),
                data.numClasses());
    }

    ImageDataset toDataset() {
        return new ImageDataset(name, images.toArray(), labels, numClasses);
    }
}
