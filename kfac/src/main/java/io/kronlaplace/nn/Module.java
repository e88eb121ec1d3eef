package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network layer with an explicit forward and backward pass.
 *
 * <p>{@link #forward} keeps what {@link #backward} needs (in {@link Mode#TRAIN} and {@link Mode#EVAL} alike, so a
 * curvature pass can run on an evaluation-mode forward). {@link #backward} returns the gradient with respect to the
 * input and, when the context asks for it, adds parameter gradients to {@link Parameter#grad()}.
 */
public abstract class Module {
    /** A named sub-module. */
    public record Child(String name, Module module) {
    }

    private String path = "";

    /**
     * Computes the output for a batch (N rows along dimension 0) and keeps what {@link #backward} needs. The input is
     * never modified; in {@link Mode#TRAIN} normalisation layers use and update batch statistics.
     *
     * @param input a batch of N examples along dimension 0, in the shape this layer takes ({@code [N, features]} for
     *              dense layers, {@code [N, channels, height, width]} for convolutional ones, {@code [N, tokens,
     *              width]} for transformer layers)
     * @param mode  {@link Mode#TRAIN} for a training step, {@link Mode#EVAL} for prediction and curvature passes
     * @return the layer's output, N rows along dimension 0 ({@code input} itself where the layer acts as the
     *         identity, as dropout does in evaluation mode)
     */
    public abstract INDArray forward(INDArray input, Mode mode);

    /**
     * Back-propagates {@code gradOutput} ({@code copies * N} rows, copy-major) through the linearisation of the last
     * {@link #forward} call and returns the gradient w.r.t. the input (same row count). Adds parameter gradients to
     * {@link Parameter#grad()} when the context asks for them. {@code gradOutput} is never modified.
     *
     * @param gradOutput the gradient w.r.t. this layer's output: {@code copies * N} rows for the N examples of the last
     *                   forward pass, the remaining dimensions as that pass's output
     * @param context    whether to accumulate parameter gradients, the number of copies per example, and the tap that
     *                   sees each weight layer's input and output gradient
     * @return the gradient w.r.t. this layer's input, {@code copies * N} rows in the same copy-major order, the
     *         remaining dimensions as the forward input
     * @throws IllegalStateException    if the layer needs values cached by the forward pass and none has run
     * @throws IllegalArgumentException if {@code gradOutput} does not have {@code copies * N} rows (layers that
     *                                  cache the batch size check this)
     */
    public abstract INDArray backward(INDArray gradOutput, BackwardContext context);

    /**
     * Forward-mode derivative (Jacobian-vector product) at the input of the last forward pass: the change of the
     * output for an input change {@code tangent} (same shape as that input), with ReLU masks and pooling choices as
     * in that forward pass. Layers whose output is not linear in the input given those choices, or that have not
     * implemented the derivative, throw {@link IllegalStateException} naming the layer.
     *
     * @param tangent the input direction
     * @param tap     sees each weight layer's input and input tangent (may be null)
     * @return the output tangent, same shape as the output of the last forward pass
     * @throws IllegalStateException if this layer has no forward-mode derivative
     */
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        throw new IllegalStateException(getClass().getSimpleName() + " '" + path + "' has no forward-mode derivative "
                + "(needed for gradients w.r.t. input-side hyperparameters such as learned augmentation)");
    }

    /**
     * Parameters held by this module itself (not its children), with local names.
     *
     * @return the module's own parameters (live, not copies), empty for layers without weights
     */
    protected List<Parameter> ownParameters() {
        return List.of();
    }

    /**
     * Non-trainable state held by this module itself (BatchNorm running statistics), with local names. The arrays are
     * live: assigning into them changes the module's state (weight files load this way).
     *
     * @return the module's own buffers keyed by local name, empty for stateless layers
     */
    protected Map<String, INDArray> ownBuffers() {
        return Map.of();
    }

    /**
     * Direct sub-modules, in forward order.
     *
     * @return the named children, empty for a leaf layer
     */
    protected List<Child> children() {
        return List.of();
    }

    /**
     * Dotted name of this module in its network ("" for the root).
     *
     * @return the path, such as {@code "block1.conv1"}; empty until the module is placed in a {@link Network}
     */
    public final String path() {
        return path;
    }

    /** Gives this module and its descendants their dotted names under {@code prefix}. */
    final void assignPaths(String prefix) {
        this.path = prefix;
        for (Child child : children()) {
            child.module().assignPaths(prefix.isEmpty() ? child.name() : prefix + "." + child.name());
        }
    }

    /**
     * All parameters of the subtree keyed by dotted name, in a fixed depth-first order.
     *
     * @return a new insertion-ordered map from names relative to this module ({@code "conv1.weight"}) to the live
     *         parameters
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        for (Parameter p : ownParameters()) {
            out.put(prefix.isEmpty() ? p.name() : prefix + "." + p.name(), p);
        }
        for (Child child : children()) {
            child.module().collect(prefix.isEmpty() ? child.name() : prefix + "." + child.name(), out);
        }
    }

    /**
     * All buffers of the subtree keyed by dotted name, in the same depth-first order as the parameters.
     *
     * @return a new insertion-ordered map from names relative to this module to the live buffer arrays
     */
    public final Map<String, INDArray> namedBuffers() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, INDArray> out) {
        for (Map.Entry<String, INDArray> e : ownBuffers().entrySet()) {
            out.put(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue());
        }
        for (Child child : children()) {
            child.module().collectBuffers(prefix.isEmpty() ? child.name() : prefix + "." + child.name(), out);
        }
    }

    /**
     * All weight layers of the subtree in depth-first (forward) order.
     *
     * @return a new list of the {@link WeightLayer}s, this module first if it is one
     */
    public final List<WeightLayer> weightLayers() {
        List<WeightLayer> out = new ArrayList<>();
        collectWeightLayers(out);
        return out;
    }

    private void collectWeightLayers(List<WeightLayer> out) {
        if (this instanceof WeightLayer layer) {
            out.add(layer);
        }
        for (Child child : children()) {
            child.module().collectWeightLayers(out);
        }
    }

    /**
     * Converts every parameter (and buffer) of the subtree to the given floating-point type.
     *
     * @param type the target floating-point type ({@link DataType#FLOAT} or {@link DataType#DOUBLE}); parameters that
     *             already have it are left as they are
     */
    public void castTo(DataType type) {
        for (Parameter p : ownParameters()) {
            p.castTo(type);
        }
        for (Child child : children()) {
            child.module().castTo(type);
        }
    }

    /** Sets every parameter gradient of the subtree to zero. */
    public final void zeroGrad() {
        namedParameters().values().forEach(Parameter::zeroGrad);
    }

    /**
     * Throws a clear error when forward has not run before backward.
     *
     * @param cached what the forward pass stored for the backward pass, null if it has not run
     * @param module the module asking, named in the error
     * @return {@code cached}
     * @throws IllegalStateException if {@code cached} is null
     */
    protected static INDArray requireCached(INDArray cached, Module module) {
        if (cached == null) {
            throw new IllegalStateException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': backward called before forward");
        }
        return cached;
    }

    /**
     * Checks that a back-propagated gradient has {@code n * copies} rows for a cached batch of {@code n} examples.
     *
     * @param gradOutput the gradient passed to {@link #backward}
     * @param n          the number of examples of the last forward pass
     * @param context    the backward pass's options, giving the number of copies per example
     * @param module     the module asking, named in the error
     * @throws IllegalArgumentException if the row count is not {@code n * context.copies()}
     */
    protected static void requireRows(INDArray gradOutput, long n, BackwardContext context, Module module) {
        long expected = n * context.copies();
        if (gradOutput.size(0) != expected) {
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': gradient has " + gradOutput.size(0) + " rows, expected " + expected + " (" + n
                    + " examples x " + context.copies() + " copies)");
        }
    }
}
