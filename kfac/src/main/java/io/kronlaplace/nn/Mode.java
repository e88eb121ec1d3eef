package io.kronlaplace.nn;

/** Whether a forward pass trains (batch statistics, caches for backward) or evaluates (running statistics). */
public enum Mode {
    TRAIN,
    EVAL
}
