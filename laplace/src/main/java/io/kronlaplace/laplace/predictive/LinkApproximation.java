package io.kronlaplace.laplace.predictive;

/**
 * How the Gaussian over logits of the linearised predictive is pushed through the softmax (see docs/laplace.md,
 * section Link approximations).
 */
public enum LinkApproximation {
    /** softmax(mu / sqrt(1 + pi/8 diag Sigma)): deterministic and cheap (MacKay's probit approximation). */
    PROBIT,
    /** Average softmax over samples f* ~ N(mu, Sigma). */
    MC,
    /**
     * The mean of the Dirichlet that the Laplace bridge maps N(mu, Sigma) to, after conditioning the Gaussian on a
     * zero sum of logits ({@link LaplaceBridge}).
     */
    BRIDGE,
    /** {@link #BRIDGE} after rescaling mu and diag Sigma so that the mean logit variance is sqrt(C / 2). */
    BRIDGE_NORM
}
