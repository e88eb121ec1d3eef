package io.kronlaplace.hyperopt;

/** The learning-rate schedule of the network weights over all training steps. */
public enum ScheduleKind {
    /** Cosine annealing to zero over the whole run. */
    COSINE,
    /** Multiplied by 0.2 after every 30% of the run (the Wide ResNet schedule's decays at 30%, 60% and 90%). */
    STEP,
    /** The same rate throughout. */
    CONSTANT
}
