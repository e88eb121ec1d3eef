package io.kronlaplace.laplace.predictive;

/** How the Gaussian over logits of the linearised predictive is pushed through the softmax. */
public enum LinkApproximation {
    /** softmax(mu / sqrt(1 + pi/8 diag Sigma)): deterministic and cheap (MacKay's probit approximation). */
    PROBIT,
    /** Average softmax over samples f* ~ N(mu, Sigma). */
    MC
}
