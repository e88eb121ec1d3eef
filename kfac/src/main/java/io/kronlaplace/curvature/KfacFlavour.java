package io.kronlaplace.curvature;

/**
 * How K-FAC treats a weight-sharing axis (conv output locations, tokens, augmentation copies), Eschenhagen et al.
 * (NeurIPS 2023). Both give GGN_W ~ B (x) A for row-major vec(W).
 */
public enum KfacFlavour {
    /**
     * Positions act like extra examples: A = 1/(N R) sum_{n,r} a a^T, B = sum_{n,r,c} b b^T. Exact for deep linear
     * networks when every position has its own loss term; costs O(N R Din^2).
     */
    EXPAND,
    /**
     * Positions are aggregated first: A = 1/N sum_n abar abar^T with abar the mean input over positions,
     * B = sum_{n,c} bsum bsum^T with bsum the sum of back-propagated vectors over positions. Exact for deep linear
     * networks when positions are pooled before the loss; costs O(N Din^2) plus the patch mean.
     */
    REDUCE
}
