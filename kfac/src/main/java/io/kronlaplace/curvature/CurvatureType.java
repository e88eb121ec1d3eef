package io.kronlaplace.curvature;

/** Which curvature matrix the back-propagated vectors estimate. */
public enum CurvatureType {
    /** Exact (type-2) generalised Gauss-Newton: the C columns of a square root of the loss Hessian per example. */
    GGN,
    /** Monte-Carlo Fisher: gradients at k labels sampled from the model, each divided by sqrt(k). */
    MC_FISHER,
    /** Empirical Fisher: the gradient at the observed label (one vector per example). */
    EMPIRICAL_FISHER
}
