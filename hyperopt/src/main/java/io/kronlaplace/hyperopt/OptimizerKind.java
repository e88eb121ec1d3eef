package io.kronlaplace.hyperopt;

/** The optimiser of the network weights. */
public enum OptimizerKind {
    /** SGD with heavy-ball momentum. */
    SGD,
    /** Adam. */
    ADAM
}
