package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fixup's scalar bias (Zhang et al. 2019): {@code y = x + b} with one learned scalar b (initially 0), or with
 * {@link #rectified} {@code y = max(x + b, 0)}, the bias and a {@link ReLU} as one layer.
 */
public final class FixupBias extends Module {
    private final Parameter bias;
    private final boolean rectified;
    private long rows = -1;
    /** A rectified layer's last output, whose positive entries pass gradients and tangents; else null. */
    private INDArray output;

    /**
     * A zero-initialised scalar bias of the given floating-point type.
     *
     * @param type floating-point type of the bias; inputs must have the same type
     */
    public FixupBias(DataType type) {
        this(type, false);
    }

    private FixupBias(DataType type, boolean rectified) {
        this.bias = new Parameter("bias", Parameter.Kind.SCALAR, org.nd4j.linalg.factory.Nd4j.zeros(type, 1));
        this.rectified = rectified;
    }

    /**
     * A zero-initialised scalar bias followed by a rectifier, {@code y = max(x + b, 0)}: the same function and
     * parameter as a {@code FixupBias} and a {@link ReLU} in sequence, in one layer that reads and writes the map
     * once (on oneDNN for float32) and keeps one output instead of two.
     *
     * @param type floating-point type of the bias; inputs must have the same type
     * @return a new rectified bias
     */
    public static FixupBias rectified(DataType type) {
        return new FixupBias(type, true);
    }

    /**
     * The scalar bias b, shape [1].
     *
     * @return the live bias parameter, added to every input entry
     */
    public Parameter bias() {
        return bias;
    }

    /**
     * Whether the output is rectified ({@link #rectified}).
     *
     * @return true for a layer made by {@link #rectified}
     */
    public boolean isRectified() {
        return rectified;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(bias);
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Scalars.requireType(input, bias, this);
        rows = input.size(0);
        if (rectified) {
            output = ReLU.rectifyShifted(input, bias.value());
            return output;
        }
        return input.add(bias.value().getDouble(0));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (rows < 0) {
            throw new IllegalStateException("FixupBias '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, rows, context, this);
        INDArray gradInput = gradOutput;
        if (rectified) {
            gradInput = ReLU.passWherePositive(output, gradOutput, "FixupBias '" + path() + "' output gradient");
        }
        if (context.parameterGradients()) {
            bias.grad().addi(EntrySums.sum(gradInput));
        }
        return gradInput;
    }

    /** Adding a constant leaves the tangent unchanged; the rectifier passes it where the output is positive. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (rows < 0) {
            throw new IllegalStateException("FixupBias '" + path() + "': jvp called before forward");
        }
        if (rectified) {
            return ReLU.passWherePositive(output, tangent, "FixupBias '" + path() + "' tangent");
        }
        return tangent;
    }
}
