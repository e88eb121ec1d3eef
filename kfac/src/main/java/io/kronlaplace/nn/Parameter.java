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

    public Parameter(String name, Kind kind, INDArray value) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.value = Objects.requireNonNull(value, "value");
        this.grad = value.ulike();
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The live weights; changes made to this array are the model's weights. */
    public INDArray value() {
        return value;
    }

    /** The accumulated gradient, same shape and type as {@link #value()}. */
    public INDArray grad() {
        return grad;
    }

    public long size() {
        return value.length();
    }

    /** Replaces the value (same shape required), for loading weights and casting; the gradient is reset. */
    public void setValue(INDArray newValue) {
        if (!java.util.Arrays.equals(newValue.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape "
                    + java.util.Arrays.toString(value.shape()) + ", got " + java.util.Arrays.toString(newValue.shape()));
        }
        this.value = newValue;
        this.grad = newValue.ulike();
    }

    /** Converts value and gradient to another floating-point type. */
    void castTo(org.nd4j.linalg.api.buffer.DataType type) {
        if (value.dataType() != type) {
            value = value.castTo(type);
            grad = grad.castTo(type);
        }
    }

    public void zeroGrad() {
        grad.assign(0);
    }
}
