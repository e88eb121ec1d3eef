package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Prepends one learned token to every sequence (the ViT class token): {@code [N, T, D]} to {@code [N, T + 1, D]}
 * with token 0 the parameter. A plain parameter of kind {@link Parameter.Kind#EMBEDDING}, not Kronecker-factored (see
 * docs/transformers.md, section LayerNorm and the other unfactored parameters).
 */
public final class ClassToken extends Module {
    private final long width;
    private final Parameter token;
    private long[] inputShape;

    /**
     * @param width token width D
     * @param init  draws the token from N(0, 0.02^2), as in the ViT reference implementation
     */
    public ClassToken(long width, Init init) {
        if (width < 1) {
            throw new IllegalArgumentException("ClassToken needs width >= 1, got " + width);
        }
        this.width = width;
        this.token = new Parameter("token", Parameter.Kind.EMBEDDING, init.normal(new long[] {width}, 0.02));
    }

    /**
     * The learned token, shape [D].
     *
     * @return the live token parameter, prepended as token 0 of every sequence
     */
    public Parameter token() {
        return token;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(token);
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tokens.requireTokens(input, width, this, "input");
        Tokens.requireType(input, token, this);
        inputShape = input.shape();
        long n = input.size(0);
        INDArray out = Nd4j.createUninitialized(input.dataType(), n, input.size(1) + 1, width);
        out.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .assign(Nd4j.tile(token.value().reshape(1, width), Math.toIntExact(n), 1));
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(1, input.size(1) + 1), NDArrayIndex.all()).assign(input);
        return out;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        long[] shape = requireShape();
        requireRows(gradOutput, shape[0], context, this);
        Tokens.requireTrailingShape(gradOutput, new long[] {shape[0], shape[1] + 1, width}, this, "output gradient");
        if (context.parameterGradients()) {
            token.grad().addi(gradOutput.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).sum(0));
        }
        return gradOutput.get(NDArrayIndex.all(), NDArrayIndex.interval(1, shape[1] + 1), NDArrayIndex.all())
                .dup('c');
    }

    /** The token is a constant of the input, so its tangent is zero. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        Tokens.requireSameShape(tangent, requireShape(), this);
        INDArray out = Nd4j.zeros(tangent.dataType(), tangent.size(0), tangent.size(1) + 1, width);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tangent.size(1) + 1), NDArrayIndex.all())
                .assign(tangent);
        return out;
    }

    private long[] requireShape() {
        if (inputShape == null) {
            throw new IllegalStateException("ClassToken '" + path() + "': backward called before forward");
        }
        return inputShape;
    }
}
