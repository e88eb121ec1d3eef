package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Gaussian error linear unit in its tanh form (Hendrycks and Gimpel 2016; PyTorch's
 * {@code gelu(approximate='tanh')}, the form of BERT and GPT-2), element-wise:
 * {@code gelu(x) = x/2 (1 + tanh(u))}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)}. Its derivative,
 * {@code (1 + tanh u)/2 + x/2 (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)}, is computed from the cached input.
 */
public final class Gelu extends Module {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double CUBIC = 0.044715;

    private INDArray input;
    private INDArray tanhU;

    @Override
    public INDArray forward(INDArray x, Mode mode) {
        input = x;
        tanhU = Transforms.tanh(x.mul(x).muli(CUBIC).addi(1).muli(x).muli(SQRT_2_OVER_PI), false);
        return tanhU.add(1).muli(x).muli(0.5);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray x = requireCached(input, this);
        requireRows(gradOutput, x.size(0), context, this);
        Tensors.requireSameTrailingShape(gradOutput, x, "Gelu '" + path() + "' output gradient");
        return gradOutput.mul(Tensors.repeatCopies(derivative(x), context.copies()));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray x = requireCached(input, this);
        Tokens.requireSameShape(tangent, x.shape(), this);
        return tangent.mul(derivative(x));
    }

    private INDArray derivative(INDArray x) {
        INDArray sech2 = tanhU.mul(tanhU).rsubi(1);
        INDArray du = x.mul(x).muli(3 * CUBIC).addi(1).muli(SQRT_2_OVER_PI);
        return sech2.muli(du).muli(x).muli(0.5).addi(tanhU.add(1).muli(0.5));
    }
}
