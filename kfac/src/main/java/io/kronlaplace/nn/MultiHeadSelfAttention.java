package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Multi-head self-attention (Vaswani et al. 2017) on token sequences {@code [N, T, D]}, without masking or dropout:
 * {@code Q = x Wq^T + bq}, {@code K = x Wk^T} (no bias: it would shift every score of a query by the same amount,
 * which the softmax cancels, so it could never learn), {@code V = x Wv^T + bv}, split into H heads of width {@code D/H};
 * per head {@code P = softmax(Q K^T / sqrt(D/H))} over the keys and {@code O = P V}; the heads are concatenated and
 * projected, {@code y = O Wo^T + bo}.
 *
 * <p>The four projections are {@link Linear} children "query", "key", "value" and "output" applied over the token
 * axis, so K-FAC factors each of them as a weight shared over the T token positions (see docs/transformers.md,
 * section Attention). The attention map itself has no parameters; the backward pass differentiates through it, with
 * the k back-propagated copies of a curvature pass sharing the forward pass's P, Q, K and V.
 */
public final class MultiHeadSelfAttention extends Module {
    private final long width;
    private final int heads;
    private final long headWidth;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private long[] inputShape;
    private INDArray q;
    private INDArray k;
    private INDArray v;
    private INDArray attention;

    /**
     * @param width token width D, divisible by {@code heads}
     * @param heads number of heads H
     * @param init  initialisation of the four projection weights (the query, value and output biases start at zero)
     */
    public MultiHeadSelfAttention(long width, int heads, Init init) {
        if (width < 1 || heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException("MultiHeadSelfAttention needs width >= 1 divisible by heads >= 1, "
                    + "got width=" + width + ", heads=" + heads);
        }
        this.width = width;
        this.heads = heads;
        this.headWidth = width / heads;
        this.query = new Linear(width, width, true, init);
        // a key bias adds q.b to every score of a query's row, which the softmax cancels: its gradient is zero
        this.key = new Linear(width, width, false, init);
        this.value = new Linear(width, width, true, init);
        this.output = new Linear(width, width, true, init);
    }

    /**
     * Number of heads H.
     *
     * @return H, which divides the token width; each head attends over {@code width / H} features
     */
    public int heads() {
        return heads;
    }

    @Override
    protected List<Child> children() {
        return List.of(new Child("query", query), new Child("key", key), new Child("value", value),
                new Child("output", output));
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tokens.requireTokens(input, width, this, "input");
        inputShape = input.shape();
        q = splitHeads(query.forward(input, mode));
        k = splitHeads(key.forward(input, mode));
        v = splitHeads(value.forward(input, mode));
        INDArray scores = Nd4j.matmul(q, k, false, true, false).muli(1 / Math.sqrt(headWidth));
        attention = softmaxOverLastAxis(scores);
        return output.forward(mergeHeads(Nd4j.matmul(attention, v)), mode);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray p = Tensors.repeatCopies(requireCached(attention, this), context.copies());
        requireRows(gradOutput, inputShape[0], context, this);
        Tokens.requireTrailingShape(gradOutput, inputShape, this, "output gradient");
        INDArray qs = Tensors.repeatCopies(q, context.copies());
        INDArray ks = Tensors.repeatCopies(k, context.copies());
        INDArray vs = Tensors.repeatCopies(v, context.copies());
        INDArray gradHeads = splitHeads(output.backward(gradOutput, context));
        INDArray gradV = Nd4j.matmul(p, gradHeads, true, false, false);
        INDArray gradScores = softmaxDerivative(p, Nd4j.matmul(gradHeads, vs, false, true, false))
                .muli(1 / Math.sqrt(headWidth));
        INDArray gradQ = Nd4j.matmul(gradScores, ks);
        INDArray gradK = Nd4j.matmul(gradScores, qs, true, false, false);
        INDArray gradInput = query.backward(mergeHeads(gradQ), context);
        gradInput.addi(key.backward(mergeHeads(gradK), context));
        return gradInput.addi(value.backward(mergeHeads(gradV), context));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray p = requireCached(attention, this);
        Tokens.requireSameShape(tangent, inputShape, this);
        INDArray dq = splitHeads(query.jvp(tangent, tap));
        INDArray dk = splitHeads(key.jvp(tangent, tap));
        INDArray dv = splitHeads(value.jvp(tangent, tap));
        INDArray dScores = Nd4j.matmul(dq, k, false, true, false).addi(Nd4j.matmul(q, dk, false, true, false))
                .muli(1 / Math.sqrt(headWidth));
        INDArray dOut = Nd4j.matmul(softmaxDerivative(p, dScores), v).addi(Nd4j.matmul(p, dv));
        return output.jvp(mergeHeads(dOut), tap);
    }

    /** {@code [M, T, D]} to {@code [M H, T, D/H]}, head-major within each row. */
    private INDArray splitHeads(INDArray x) {
        long m = x.size(0);
        long t = x.size(1);
        return x.reshape('c', m, t, heads, headWidth).permute(0, 2, 1, 3).dup('c').reshape('c', m * heads, t,
                headWidth);
    }

    /** The inverse of {@link #splitHeads}. */
    private INDArray mergeHeads(INDArray x) {
        long m = x.size(0) / heads;
        long t = x.size(1);
        return x.reshape('c', m, heads, t, headWidth).permute(0, 2, 1, 3).dup('c').reshape('c', m, t, width);
    }

    /** Row-wise softmax over the last axis, shifted by the row maximum so that exp cannot overflow. */
    private static INDArray softmaxOverLastAxis(INDArray scores) {
        long last = scores.size(scores.rank() - 1);
        INDArray rows = scores.reshape('c', scores.length() / last, last);
        rows.subiColumnVector(rows.max(1));
        Transforms.exp(rows, false);
        rows.diviColumnVector(rows.sum(1));
        return scores;
    }

    /**
     * The softmax Jacobian applied to d, row-wise: {@code P * (d - sum(P * d))}. It is symmetric, so it serves both
     * the backward pass and the forward-mode derivative.
     */
    private static INDArray softmaxDerivative(INDArray p, INDArray d) {
        long last = p.size(p.rank() - 1);
        INDArray pr = p.reshape('c', p.length() / last, last);
        INDArray dr = Tensors.dense(d).reshape('c', d.length() / last, last);
        INDArray out = dr.subColumnVector(pr.mul(dr).sum(1)).muli(pr);
        return out.reshape('c', p.shape());
    }
}
