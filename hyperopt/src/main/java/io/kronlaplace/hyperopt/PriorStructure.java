package io.kronlaplace.hyperopt;

/** How many prior precisions the marginal likelihood learns. */
public enum PriorStructure {
    /** One precision shared by all covered weights. */
    SCALAR,
    /** One precision per parameter group: each layer's weight and each layer's bias (Immer et al.'s layer-wise prior). */
    LAYERWISE
}
