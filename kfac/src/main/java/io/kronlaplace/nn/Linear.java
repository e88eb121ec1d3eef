package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dense layer z = W a + b applied to inputs {@code N x Din} or, with a weight-sharing axis, {@code N x R x Din}
 * (the same W at each of R tokens, nodes or samples). W is {@code Dout x Din}, b is {@code Dout}.
 *
 * <p>K-FAC view ({@link WeightLayer}): the positions are the R rows of the sharing axis (R = 1 without one), and the
 * input and output already are positions by features, so every view is a reshape of the array it is given.
 */
public final class Linear extends Module implements WeightLayer {
    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;
    private INDArray input;

    /**
     * @param in   input features
     * @param out  output features
     * @param bias whether to add a bias
     * @param init weight initialisation (bias starts at zero)
     */
    public Linear(long in, long out, boolean bias, Init init) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear needs positive sizes, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = new Parameter("weight", Parameter.Kind.WEIGHT, init.weight(new long[] {out, in}, in, out));
        this.bias = bias ? new Parameter("bias", Parameter.Kind.BIAS, init.zeros(out)) : null;
    }

    @Override
    protected List<Parameter> ownParameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(weight);
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }

    @Override
    public INDArray forward(INDArray x, Mode mode) {
        requireInput(x);
        requireType(x);
        input = x;
        INDArray z = flat(x).mmul(weight.value().transpose());
        if (bias != null) {
            z.addiRowVector(bias.value());
        }
        return x.rank() == 2 ? z : z.reshape(x.size(0), x.size(1), out);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray a = requireCached(input, this);
        requireRows(gradOutput, a.size(0), context, this);
        Tensors.requireSize(gradOutput, -1, out, "Linear '" + path() + "' output gradient");
        context.observe(this, a, gradOutput);
        INDArray g = flat(gradOutput);
        if (context.parameterGradients()) {
            weight.grad().addi(g.transpose().mmul(flat(a)));
            if (bias != null) {
                bias.grad().addi(g.sum(0));
            }
        }
        INDArray gin = g.mmul(weight.value());
        return gradOutput.rank() == 2 ? gin : gin.reshape(gradOutput.size(0), gradOutput.size(1), in);
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray a = requireCached(input, this);
        if (!java.util.Arrays.equals(tangent.shape(), a.shape())) {
            throw new IllegalArgumentException("Linear '" + path() + "': tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was " + java.util.Arrays.toString(a.shape()));
        }
        if (tap != null) {
            tap.observe(this, a, tangent);
        }
        INDArray z = flat(tangent).mmul(weight.value().transpose());
        WeightTangent step = tap == null ? null : tap.weightTangent(this);
        if (step != null) {
            step.requireFits(this);
            // z += a dW^T (+ db): the output change of the weight step at the cached input
            Nd4j.gemm(flat(a), step.weight(), z, false, true, 1.0, 1.0);
            if (step.bias() != null) {
                z.addiRowVector(step.bias());
            }
        }
        return tangent.rank() == 2 ? z : z.reshape(tangent.size(0), tangent.size(1), out);
    }

    private void requireType(INDArray x) {
        DataType t = weight.value().dataType();
        if (x.dataType() != t) {
            throw new IllegalArgumentException("Linear '" + path() + "': input is " + x.dataType()
                    + " but weights are " + t + " (cast the network or the data)");
        }
    }

    @Override
    public long positions(INDArray input) {
        requireInput(input);
        return input.rank() == 3 ? input.size(1) : 1;
    }

    @Override
    public INDArray inputPositions(INDArray input) {
        requireInput(input);
        return asPositions(input);
    }

    /** A view of the input, {@code [N, R, Din]}. */
    @Override
    public PositionMatrices inputMatrices(INDArray input) {
        requireInput(input);
        return new PositionMatrices(asPositions(input), PositionMatrices.Orientation.POSITIONS_BY_FEATURES);
    }

    @Override
    public INDArray inputPositionsAdjoint(INDArray values, long[] inputShape) {
        if (inputShape.length != 2 && inputShape.length != 3 || inputShape[inputShape.length - 1] != in) {
            throw new IllegalArgumentException("Linear '" + path() + "': input shape " + Arrays.toString(inputShape)
                    + " is not [N, " + in + "] or [N, R, " + in + "]");
        }
        long[] expected = {inputShape[0], inputShape.length == 3 ? inputShape[1] : 1, in};
        if (!Arrays.equals(values.shape(), expected)) {
            throw new IllegalArgumentException("Linear '" + path() + "': position values have shape "
                    + Arrays.toString(values.shape()) + ", expected " + Arrays.toString(expected) + " for an input "
                    + Arrays.toString(inputShape));
        }
        // the positions map is a reshape, so its adjoint is the inverse reshape
        return values.reshape('c', inputShape);
    }

    @Override
    public INDArray meanInput(INDArray input) {
        requireInput(input);
        return input.rank() == 3 ? input.mean(1) : input;
    }

    @Override
    public void forEachInputChunk(INDArray input, long maxElements, Consumer<PositionMatrices> visitor) {
        if (maxElements < 1) {
            throw new IllegalArgumentException("Linear '" + path() + "': chunks need maxElements >= 1, got "
                    + maxElements);
        }
        // the positions are a view of the input: nothing is materialised, so one chunk at any bound
        visitor.accept(inputMatrices(input));
    }

    @Override
    public PositionMatrices outputMatrices(INDArray outputLike) {
        Tensors.requireRank(outputLike, "Linear '" + path() + "' output-shaped array", 2, 3);
        Tensors.requireSize(outputLike, -1, out, "Linear '" + path() + "' output features");
        return new PositionMatrices(asPositions(outputLike), PositionMatrices.Orientation.POSITIONS_BY_FEATURES);
    }

    private void requireInput(INDArray x) {
        Tensors.requireRank(x, "Linear '" + path() + "' input", 2, 3);
        Tensors.requireSize(x, -1, in, "Linear '" + path() + "' input features");
    }

    /** Rank-2 rows as one position each; rank-3 arrays are positions already. */
    private static INDArray asPositions(INDArray x) {
        return x.rank() == 3 ? x : x.reshape(x.size(0), 1, x.size(1));
    }

    private INDArray flat(INDArray x) {
        return x.rank() == 2 ? x : x.reshape(x.size(0) * x.size(1), x.size(2));
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public long inFeatures() {
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }
}
