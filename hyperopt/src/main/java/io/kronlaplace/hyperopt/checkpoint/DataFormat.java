package io.kronlaplace.hyperopt.checkpoint;

/** The formats of training and test data the command line reads (see docs/data-formats.md). */
public enum DataFormat {
    /** The built-in synthetic 32 x 32 images. */
    SYNTHETIC,
    /** CIFAR-10 binary files in a directory. */
    CIFAR,
    /** MNIST-style IDX files: an image file and a label file, gzip-compressed or not. */
    IDX,
    /** A delimited text table (comma, tab, ...) with one target column. */
    CSV,
    /** NumPy {@code .npy} arrays: one of inputs and one of targets. */
    NPY
}
