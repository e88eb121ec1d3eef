package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds a learned embedding per token position: {@code y[n, t] = x[n, t] + E[t]} on {@code [N, T, D]} with E of shape
 * {@code [T, D]}. A plain parameter of kind {@link Parameter.Kind#EMBEDDING}, not Kronecker-factored (see
 * docs/transformers.md, section LayerNorm and the other unfactored parameters).
 */
public final class PositionalEmbedding extends Module {
    private final long tokens;
    private final long width;
    private final Parameter embedding;
    private long rows = -1;

    /**
     * @param tokens sequence length T (including a class token, if any)
     * @param width  token width D
     * @param init   draws E from N(0, 0.02^2), as in the ViT reference implementation
     */
    public PositionalEmbedding(long tokens, long width, Init init) {
        if (tokens < 1 || width < 1) {
            throw new IllegalArgumentException("PositionalEmbedding needs tokens >= 1 and width >= 1, got tokens="
                    + tokens + ", width=" + width);
        }
        this.tokens = tokens;
        this.width = width;
        this.embedding = new Parameter("embedding", Parameter.Kind.EMBEDDING,
                init.normal(new long[] {tokens, width}, 0.02));
    }

    /**
     * The embedding E, shape [T, D].
     *
     * @return the live embedding parameter, added to every sequence of the batch
     */
    public Parameter embedding() {
        return embedding;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(embedding);
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tokens.requireTokens(input, width, this, "input");
        Tensors.requireSize(input, 1, tokens, "PositionalEmbedding '" + path() + "' tokens");
        Tokens.requireType(input, embedding, this);
        rows = input.size(0);
        return Tensors.dense(input).reshape('c', rows, tokens * width)
                .addRowVector(embedding.value().reshape(tokens * width)).reshape('c', input.shape());
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (rows < 0) {
            throw new IllegalStateException("PositionalEmbedding '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, rows, context, this);
        Tokens.requireTrailingShape(gradOutput, new long[] {rows, tokens, width}, this, "output gradient");
        if (context.parameterGradients()) {
            embedding.grad().addi(gradOutput.sum(0));
        }
        return gradOutput;
    }

    /** Adding a constant leaves the tangent unchanged. */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (rows < 0) {
            throw new IllegalStateException("PositionalEmbedding '" + path() + "': jvp called before forward");
        }
        Tokens.requireTokens(tangent, width, this, "tangent");
        return tangent;
    }
}
