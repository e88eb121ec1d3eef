package io.kronlaplace.nn;

/** Whether a forward pass trains (batch statistics, caches for backward) or evaluates (running statistics). */
public enum Mode {
    /** Training: normalisation layers use and update batch statistics, dropout is active. */
    TRAIN,
    /** Evaluation: normalisation layers use their running statistics, dropout passes inputs through. */
    EVAL
}
