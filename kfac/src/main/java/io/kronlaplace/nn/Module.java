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
     */
    public abstract INDArray forward(INDArray input, Mode mode);

    /**
     * Back-propagates {@code gradOutput} ({@code copies * N} rows, copy-major) through the linearisation of the last
     * {@link #forward} call and returns the gradient w.r.t. the input (same row count). Adds parameter gradients to
     * {@link Parameter#grad()} when the context asks for them. {@code gradOutput} is never modified.
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
     */
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        throw new IllegalStateException(getClass().getSimpleName() + " '" + path + "' has no forward-mode derivative "
                + "(needed for gradients w.r.t. input-side hyperparameters such as learned augmentation)");
    }

    /** Parameters held by this module itself (not its children), with local names. */
    protected List<Parameter> ownParameters() {
        return List.of();
    }

    /**
     * Non-trainable state held by this module itself (BatchNorm running statistics), with local names. The arrays are
     * live: assigning into them changes the module's state (weight files load this way).
     */
    protected Map<String, INDArray> ownBuffers() {
        return Map.of();
    }

    /** Direct sub-modules, in forward order. */
    protected List<Child> children() {
        return List.of();
    }

    /** Dotted name of this module in its network ("" for the root). */
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

    /** All parameters of the subtree keyed by dotted name, in a fixed depth-first order. */
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

    /** All buffers of the subtree keyed by dotted name, in the same depth-first order as the parameters. */
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

    /** All weight layers of the subtree in depth-first (forward) order. */
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

    /** Converts every parameter (and buffer) of the subtree to the given floating-point type. */
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

    /** Throws a clear error when forward has not run before backward. */
    protected static INDArray requireCached(INDArray cached, Module module) {
        if (cached == null) {
            throw new IllegalStateException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': backward called before forward");
        }
        return cached;
    }

    /** Number of back-propagated rows expected for a cached batch of {@code n} examples. */
    protected static void requireRows(INDArray gradOutput, long n, BackwardContext context, Module module) {
        long expected = n * context.copies();
        if (gradOutput.size(0) != expected) {
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': gradient has " + gradOutput.size(0) + " rows, expected " + expected + " (" + n
                    + " examples x " + context.copies() + " copies)");
        }
    }
}
