package io.kronlaplace.optim;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checked weight decay coefficient {@code lambda} (>= 0) with its {@link WeightDecay} mode, and the two in-place
 * ways of applying it; each does nothing unless the coefficient is > 0 and the mode is its own.
 */
record WeightDecaySetting(double coefficient, WeightDecay mode) {
    /** Throws naming {@code what} unless the coefficient is finite and >= 0, or when the mode is null. */
    static WeightDecaySetting of(double coefficient, WeightDecay mode, String what) {
        OptimizerState.requireNonNegative(coefficient, what);
        return new WeightDecaySetting(coefficient, Objects.requireNonNull(mode, "weight decay mode"));
    }

    /** Whether {@link #addL2} changes anything. */
    boolean isL2() {
        return coefficient > 0 && mode == WeightDecay.L2;
    }

    /** {@code gradient += lambda * theta} in place, with L2 decay. */
    void addL2(INDArray theta, INDArray gradient) {
        if (isL2()) {
            OptimizerState.axpy(coefficient, theta, gradient);
        }
    }

    /** {@code theta *= 1 - lr * lambda} in place, with decoupled decay at learning rate {@code lr}. */
    void shrinkDecoupled(INDArray theta, double lr) {
        if (coefficient > 0 && mode == WeightDecay.DECOUPLED) {
            theta.muli(1 - lr * coefficient);
        }
    }
}
