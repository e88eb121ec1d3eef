package io.kronlaplace.nn.graph;

import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Tanh;

/** The nonlinearity after each layer of a graph network's update functions. */
public enum Activation {
    /** {@code max(0, x)}: a new {@link ReLU} after each layer. */
    RELU,
    /** {@code tanh(x)}: a new {@link Tanh} after each layer. */
    TANH,
    /** None: the update functions are linear (for exactness checks of the curvature). */
    IDENTITY;

    /** A new module for this activation, or null for {@link #IDENTITY}. */
    Module module() {
        return switch (this) {
            case RELU -> new ReLU();
            case TANH -> new Tanh();
            case IDENTITY -> null;
        };
    }
}
