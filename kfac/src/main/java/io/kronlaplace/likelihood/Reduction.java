package io.kronlaplace.likelihood;

/** How per-example losses are combined. Curvature and marginal likelihoods use {@link #SUM}. */
public enum Reduction {
    SUM,
    MEAN
}
