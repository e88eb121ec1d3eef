package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The head's reduction of a token sequence {@code [N, T, D]} to one vector per example {@code [N, D]}. */
public final class TokenPool extends Module {
    /** Which vector represents the sequence. */
    public enum Kind {
        /** Token 0 (the class token prepended by {@link ClassToken}). */
        CLASS_TOKEN,
        /** The mean over all tokens. */
        MEAN
    }

    private final Kind kind;
    private long[] inputShape;

    /**
     * A pooling layer with the given rule.
     *
     * @param kind which vector represents the sequence; not null
     * @throws NullPointerException when {@code kind} is null
     */
    public TokenPool(Kind kind) {
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
    }

    /**
     * The pooling rule.
     *
     * @return the kind given at construction
     */
    public Kind kind() {
        return kind;
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireRank(input, "TokenPool '" + path() + "' input (N, T, D)", 3);
        inputShape = input.shape();
        return pool(input);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        long[] shape = requireShape();
        requireRows(gradOutput, shape[0], context, this);
        Tokens.requireTrailingShape(gradOutput, new long[] {shape[0], shape[2]}, this, "output gradient");
        if (kind == Kind.MEAN) {
            return MeanOverPositions.spread(gradOutput, shape[1]);
        }
        INDArray out = Nd4j.zeros(gradOutput.dataType(), gradOutput.size(0), shape[1], shape[2]);
        out.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(gradOutput);
        return out;
    }

    /** Pooling is linear: the tangent is pooled the same way. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        Tokens.requireSameShape(tangent, requireShape(), this);
        return pool(tangent);
    }

    private INDArray pool(INDArray x) {
        return kind == Kind.CLASS_TOKEN
                ? x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c')
                : x.mean(1);
    }

    private long[] requireShape() {
        if (inputShape == null) {
            throw new IllegalStateException("TokenPool '" + path() + "': backward called before forward");
        }
        return inputShape;
    }
}
