package io.kronlaplace.laplace;

/** How the curvature (generalised Gauss-Newton) of the covered weights is approximated. */
public enum HessianStructure {
    /** One Kronecker-factored block per layer weight (K-FAC expand or reduce) and one B-factored block per bias. */
    KRON,
    /** The exact diagonal of the GGN. */
    DIAG,
    /** The exact dense GGN over all covered weights (small networks or the last layer only). */
    FULL
}
