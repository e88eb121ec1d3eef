package io.kronlaplace.nn;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainable tensor and its gradient accumulator. The value is updated in place by optimisers, so every holder of a
 * {@code Parameter} sees the current weights. Names are local ("weight", "bias"); a {@link Module} tree gives them
 * dotted full names ("block1.conv1.weight").
 */
public final class Parameter {
    /** What role a parameter plays; curvature structures and priors group parameters by it. */
    public enum Kind {
        /** Weight matrix of a Linear layer or kernel of a Conv2d layer (Kronecker-factored by K-FAC). */
        WEIGHT,
        /** Additive bias of a Linear or Conv2d layer. */
        BIAS,
        /** Scale (gamma) of a normalisation layer. */
        NORM_SCALE,
        /** Shift (beta) of a normalisation layer. */
        NORM_SHIFT,
        /** Fixup scalar bias or multiplier. */
        SCALAR,
        /** A learned embedding added to or prepended to tokens (positional embedding, class token). */
        EMBEDDING
    }

    private final String name;
    private final Kind kind;
    private INDArray value;
    private INDArray grad;

    /**
     * Wraps a tensor as a trainable parameter, with a zero gradient array of the same shape and type (backward passes
     * accumulate into it).
     *
     * @param name  the local name within its module ({@code "weight"}, {@code "bias"}); not null
     * @param kind  the parameter's role; not null
     * @param value the initial weights, held (not copied): it becomes the live value
     * @throws NullPointerException if any argument is null
     */
    public Parameter(String name, Kind kind, INDArray value) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.value = Objects.requireNonNull(value, "value");
        this.grad = value.like();
    }

    /**
     * The local name within the owning module.
     *
     * @return the name, such as {@code "weight"}; {@link Module#namedParameters()} prefixes the module's path
     */
    public String name() {
        return name;
    }

    /**
     * The role of this parameter.
     *
     * @return the kind given at construction
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The live weights; changes made to this array are the model's weights.
     *
     * @return the current value array (replaced by {@link #setValue} and by casts)
     */
    public INDArray value() {
        return value;
    }

    /**
     * The accumulated gradient, same shape and type as {@link #value()}.
     *
     * @return the live gradient array that backward passes add into
     */
    public INDArray grad() {
        return grad;
    }

    /**
     * The number of scalars in this parameter.
     *
     * @return the length of {@link #value()}
     */
    public long size() {
        return value.length();
    }

    /**
     * Replaces the value (same shape required), for loading weights and casting; the gradient is reset to a new
     * zero array of the new value's shape and type.
     *
     * @param newValue the new weights, held (not copied), of the current shape; its type becomes the parameter's type
     * @throws IllegalArgumentException if its shape differs from the current value's
     */
    public void setValue(INDArray newValue) {
        if (!java.util.Arrays.equals(newValue.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape "
                    + java.util.Arrays.toString(value.shape()) + ", got " + java.util.Arrays.toString(newValue.shape()));
        }
        this.value = newValue;
        this.grad = newValue.like();
    }

    /** Converts value and gradient to another floating-point type. */
    void castTo(org.nd4j.linalg.api.buffer.DataType type) {
        if (value.dataType() != type) {
            value = value.castTo(type);
            grad = grad.castTo(type);
        }
    }

    /** Sets every entry of the gradient to zero, before a new accumulation. */
    public void zeroGrad() {
        grad.assign(0);
    }
}
