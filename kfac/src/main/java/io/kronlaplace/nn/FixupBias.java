package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Fixup's scalar bias (Zhang et al. 2019): {@code y = x + b} with one learned scalar b (initially 0). */
public final class FixupBias extends Module {
    private final Parameter bias;
    private long rows = -1;

    /**
     * A zero-initialised scalar bias of the given floating-point type.
     *
     * @param type floating-point type of the bias; inputs must have the same type
     */
    public FixupBias(DataType type) {
        this.bias = new Parameter("bias", Parameter.Kind.SCALAR, org.nd4j.linalg.factory.Nd4j.zeros(type, 1));
    }

    /**
     * The scalar bias b, shape [1].
     *
     * @return the live bias parameter, added to every input entry
     */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(bias);
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Scalars.requireType(input, bias, this);
        rows = input.size(0);
        return input.add(bias.value().getDouble(0));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (rows < 0) {
            throw new IllegalStateException("FixupBias '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, rows, context, this);
        if (context.parameterGradients()) {
            bias.grad().addi(EntrySums.sum(gradOutput));
        }
        return gradOutput;
    }

    /** Adding a constant leaves the tangent unchanged. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (rows < 0) {
            throw new IllegalStateException("FixupBias '" + path() + "': jvp called before forward");
        }
        return tangent;
    }
}
