package io.kronlaplace.hyperopt;

import io.kronlaplace.laplace.PriorPrecision;

/** How many prior precisions the marginal likelihood learns. */
public enum PriorStructure {
    /** One precision shared by all covered weights. */
    SCALAR,
    /** One precision per parameter group: each layer's weight and each layer's bias (Immer et al.'s layer-wise prior). */
    LAYERWISE;

    /**
     * The Laplace prior kind of this structure.
     *
     * @return {@link PriorPrecision.Kind#SCALAR} or {@link PriorPrecision.Kind#PER_GROUP}
     */
    public PriorPrecision.Kind kind() {
        return this == SCALAR ? PriorPrecision.Kind.SCALAR : PriorPrecision.Kind.PER_GROUP;
    }

    /**
     * The number of learned precisions.
     *
     * @param groups the parameter groups of the posterior
     * @return 1 for SCALAR, {@code groups} for LAYERWISE
     */
    public int size(int groups) {
        return this == SCALAR ? 1 : groups;
    }
}
