package io.kronlaplace.likelihood;

/** How per-example losses are combined. Curvature and marginal likelihoods use {@link #SUM}. */
public enum Reduction {
    /** The per-example losses added up; the convention of the curvature and the marginal likelihood. */
    SUM,
    /** The sum divided by the number of examples N, e.g. for a training loss independent of the batch size. */
    MEAN
}
