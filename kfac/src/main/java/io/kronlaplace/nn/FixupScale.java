package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Fixup's scalar multiplier (Zhang et al. 2019): {@code y = s * x} with one learned scalar s (initially 1). */
public final class FixupScale extends Module {
    private final Parameter scale;
    private INDArray input;

    /**
     * A scalar multiplier of the given floating-point type, initialised to 1.
     *
     * @param type floating-point type of the multiplier; inputs must have the same type
     */
    public FixupScale(DataType type) {
        this.scale = new Parameter("scale", Parameter.Kind.SCALAR, org.nd4j.linalg.factory.Nd4j.ones(type, 1));
    }

    /**
     * The scalar multiplier s, shape [1].
     *
     * @return the live scale parameter, multiplying every input entry
     */
    public Parameter scale() {
        return scale;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(scale);
    }

    @Override
    public INDArray forward(INDArray x, Mode mode) {
        Scalars.requireType(x, scale, this);
        input = x;
        return x.mul(scale.value().getDouble(0));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray x = requireCached(input, this);
        requireRows(gradOutput, x.size(0), context, this);
        Tensors.requireSameTrailingShape(gradOutput, x, "FixupScale '" + path() + "' output gradient");
        if (context.parameterGradients()) {
            scale.grad().addi(EntrySums.sumOfProducts(gradOutput, x));
        }
        return gradOutput.mul(scale.value().getDouble(0));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireCached(input, this);
        return tangent.mul(scale.value().getDouble(0));
    }
}
