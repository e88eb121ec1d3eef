package io.kronlaplace.optim;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A first-order optimiser that updates arrays in place from their gradients. The same instance must always be given
 * the same list of arrays (same order and shapes): per-array state such as momentum is kept by position, allocated at
 * the first step and reused, so a step allocates no array-sized memory.
 */
public interface Optimizer {
    /**
     * One update of each {@code parameters.get(i)} in place, from {@code gradients.get(i)} (same shape and type;
     * not modified). Throws {@link IllegalArgumentException} before changing anything when a gradient holds NaN or
     * infinity or the lists do not match the earlier steps.
     */
    void step(List<INDArray> parameters, List<INDArray> gradients);

    /** One update of every parameter of the network from its accumulated gradient {@link Parameter#grad()}. */
    default void step(Network network) {
        List<INDArray> values = new ArrayList<>(network.parameters().size());
        List<INDArray> grads = new ArrayList<>(network.parameters().size());
        for (Parameter p : network.parameters().values()) {
            values.add(p.value());
            grads.add(p.grad());
        }
        step(values, grads);
    }

    /** Number of updates done so far. */
    long steps();

    /** The learning rate the next update will use. */
    double learningRate();

    /** A copy of the state (step count and buffers), for checkpoints. */
    OptimizerSnapshot snapshot();

    /**
     * Restores a {@link #snapshot()} taken from an optimiser with the same options over the same arrays; the next
     * step then does exactly what the snapshotted optimiser's next step would have done.
     */
    void restore(OptimizerSnapshot snapshot);
}
