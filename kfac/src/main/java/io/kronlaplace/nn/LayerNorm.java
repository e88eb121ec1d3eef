package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalisation (Ba et al. 2016) over the last axis: every token (row of {@code [N, D]} or {@code [N, T, D]})
 * is normalised by its own mean and biased variance, {@code y = gamma * (x - mu) / sqrt(var + eps) + beta}, with a
 * learned scale gamma and shift beta of length D. The statistics belong to the token alone, so training and
 * evaluation compute the same thing and the k back-propagated copies of a curvature pass share one linearisation.
 *
 * <p>Gamma and beta are not Kronecker-factored: K-FAC preconditions neither, and the Laplace posteriors keep them at
 * their MAP values (see docs/transformers.md, section LayerNorm and the other unfactored parameters).
 */
public final class LayerNorm extends Module {
    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final long width;
    private final double eps;
    private final Parameter scale;
    private final Parameter shift;
    private INDArray normalized;
    private INDArray invStd;
    private long[] inputShape;

    /**
     * Layer normalisation over {@code width} features with eps 1e-5, gamma = 1 and beta = 0.
     *
     * @param width features D normalised together (the last axis of the input), at least 1
     * @param type  floating-point type of gamma and beta
     * @throws IllegalArgumentException when {@code width < 1} or the type is not floating-point
     */
    public LayerNorm(long width, DataType type) {
        this(width, DEFAULT_EPS, type);
    }

    /**
     * @param width features D normalised together
     * @param eps   added to the variance before the square root, > 0
     * @param type  floating-point type of gamma and beta
     */
    public LayerNorm(long width, double eps, DataType type) {
        if (width < 1 || !(eps > 0) || !type.isFPType()) {
            throw new IllegalArgumentException("LayerNorm needs width >= 1, eps > 0 and a floating-point type, got "
                    + "width=" + width + ", eps=" + eps + ", type=" + type);
        }
        this.width = width;
        this.eps = eps;
        this.scale = new Parameter("weight", Parameter.Kind.NORM_SCALE, Nd4j.ones(type, width));
        this.shift = new Parameter("bias", Parameter.Kind.NORM_SHIFT, Nd4j.zeros(type, width));
    }

    /**
     * gamma, per feature.
     *
     * @return the live scale parameter, length D
     */
    public Parameter scale() {
        return scale;
    }

    /**
     * beta, per feature.
     *
     * @return the live shift parameter, length D
     */
    public Parameter shift() {
        return shift;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(scale, shift);
    }

    @Override
    public INDArray forward(INDArray x, Mode mode) {
        String what = "LayerNorm '" + path() + "' input";
        Tensors.requireRank(x, what, 2, 3);
        Tensors.requireSize(x, -1, width, what);
        Tokens.requireType(x, scale, this);
        inputShape = x.shape();
        INDArray rows = Tensors.dense(x).reshape('c', x.length() / width, width);
        INDArray xhat = rows.subColumnVector(rows.mean(1));
        INDArray norms = xhat.norm2(1);
        invStd = Transforms.pow(norms.muli(norms).divi(width).addi(eps), -0.5, false);
        normalized = xhat.muliColumnVector(invStd);
        INDArray y = normalized.mulRowVector(scale.value()).addiRowVector(shift.value());
        return y.reshape('c', inputShape);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray xhat = requireCached(normalized, this);
        requireRows(gradOutput, inputShape[0], context, this);
        Tokens.requireTrailingShape(gradOutput, inputShape, this, "output gradient");
        INDArray g = Tensors.dense(gradOutput).reshape('c', gradOutput.length() / width, width);
        int copies = context.copies();
        INDArray xhatCopies = Tensors.repeatCopies(xhat, copies);
        if (context.parameterGradients()) {
            scale.grad().addi(g.mul(xhatCopies).sum(0));
            shift.grad().addi(g.sum(0));
        }
        INDArray gradInput = normalizationDerivative(g.mulRowVector(scale.value()), xhatCopies,
                Tensors.repeatCopies(invStd, copies));
        return gradInput.reshape('c', gradOutput.shape());
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray xhat = requireCached(normalized, this);
        Tokens.requireSameShape(tangent, inputShape, this);
        INDArray t = Tensors.dense(tangent).reshape('c', tangent.length() / width, width);
        return normalizationDerivative(t, xhat, invStd).muliRowVector(scale.value()).reshape('c', inputShape);
    }

    /**
     * The derivative of {@code xhat = (x - mu) / sqrt(var + eps)} applied to v row by row:
     * {@code invStd * (v - mean(v) - xhat * mean(v * xhat))}. That Jacobian is symmetric, so the same map serves the
     * backward pass (v = gamma * output gradient) and the forward-mode derivative (v = input tangent).
     */
    private INDArray normalizationDerivative(INDArray v, INDArray xhat, INDArray invStdPerRow) {
        INDArray projection = v.mul(xhat).mean(1);
        INDArray out = v.subColumnVector(v.mean(1));
        out.subi(xhat.mulColumnVector(projection));
        return out.muliColumnVector(invStdPerRow);
    }
}
