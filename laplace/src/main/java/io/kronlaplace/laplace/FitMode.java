package io.kronlaplace.laplace;

/** What a further call to {@code fit} does with the curvature and data statistics of earlier calls. */
public enum FitMode {
    /** Start from scratch: earlier curvature and data are forgotten. */
    REPLACE,
    /** Add the new mini-batches to what earlier calls saw (the curvature of the union of the data). */
    ACCUMULATE
}
