package io.kronlaplace.validation.data;

/** The kind of evaluation set relative to the training distribution. */
public enum ShiftKind {
    /** The clean test set, drawn from the training distribution. */
    NONE,
    /** Images rotated by a given angle in degrees (the shift level). */
    ROTATION,
    /** Additive Gaussian pixel noise of a given standard deviation (the shift level). */
    GAUSSIAN_NOISE,
    /** A different data set whose classes are not those of training (labels are meaningless). */
    OUT_OF_DISTRIBUTION
}
