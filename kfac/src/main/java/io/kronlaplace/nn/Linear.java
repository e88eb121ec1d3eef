package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dense layer z = W a + b applied to inputs {@code N x Din} or, with a weight-sharing axis, {@code N x R x Din}
 * (the same W at each of R tokens, nodes or samples). W is {@code Dout x Din}, b is {@code Dout}.
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
        Tensors.requireRank(x, "Linear '" + path() + "' input", 2, 3);
        Tensors.requireSize(x, -1, in, "Linear '" + path() + "' input features");
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
        return tangent.rank() == 2 ? z : z.reshape(tangent.size(0), tangent.size(1), out);
    }

    private void requireType(INDArray x) {
        DataType t = weight.value().dataType();
        if (x.dataType() != t) {
            throw new IllegalArgumentException("Linear '" + path() + "': input is " + x.dataType()
                    + " but weights are " + t + " (cast the network or the data)");
        }
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
