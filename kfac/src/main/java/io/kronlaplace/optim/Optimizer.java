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
     *
     * @param parameters the arrays to update in place; the same list (order and shapes) at every step
     * @param gradients  one gradient per array, of its shape and type, in the same order; read only
     */
    void step(List<INDArray> parameters, List<INDArray> gradients);

    /**
     * One update of every parameter of the network from its accumulated gradient {@link Parameter#grad()}.
     *
     * @param network the network whose parameters are updated in place, in its fixed parameter order; the gradients
     *                are read, not cleared
     * @throws IllegalArgumentException as {@link #step(List, List)}
     */
    default void step(Network network) {
        List<INDArray> values = new ArrayList<>(network.parameters().size());
        List<INDArray> grads = new ArrayList<>(network.parameters().size());
        for (Parameter p : network.parameters().values()) {
            values.add(p.value());
            grads.add(p.grad());
        }
        step(values, grads);
    }

    /**
     * Number of updates done so far.
     *
     * @return the step count, including the steps of a restored snapshot
     */
    long steps();

    /**
     * The learning rate the next update will use.
     *
     * @return the schedule's rate at {@link #steps()}, finite and &gt; 0
     */
    double learningRate();

    /**
     * A copy of the state, for checkpoints.
     *
     * @return the step count and copies of the per-array buffers; later steps do not change it
     */
    OptimizerSnapshot snapshot();

    /**
     * Restores a {@link #snapshot()} taken from an optimiser with the same options over the same arrays; the next
     * step then does exactly what the snapshotted optimiser's next step would have done.
     *
     * @param snapshot the state to continue from; its buffers are copied
     * @throws IllegalArgumentException when the snapshot's buffer count does not fit this optimiser's kind
     */
    void restore(OptimizerSnapshot snapshot);
}
