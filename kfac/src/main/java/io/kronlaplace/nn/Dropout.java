package io.kronlaplace.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout: in {@link Mode#TRAIN} each input entry is kept with probability {@code 1 - p} and scaled by
 * {@code 1 / (1 - p)}, else zeroed; in {@link Mode#EVAL} the layer is the identity. The curvature engine and the
 * Laplace posteriors run their forward passes in evaluation mode, so dropout is inactive there; the layer has no
 * weights and gets no curvature block.
 *
 * <p>Masks come from one seeded stream: the k-th training forward pass of a layer built with seed s draws the same
 * mask in every run. Backward and forward-mode derivative multiply by the mask of the last forward pass (none after an
 * evaluation-mode pass).
 */
public final class Dropout extends Module {
    private final double p;
    private final SplittableRandom random;
    /** The scaled mask of the last training forward pass, or null after an evaluation-mode pass. */
    private INDArray mask;
    private long[] inputShape;

    /**
     * @param p    probability of zeroing an entry in training, in [0, 1)
     * @param seed seed of the mask stream
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Probability of zeroing an entry in training.
     *
     * @return p, in [0, 1)
     */
    public double probability() {
        return p;
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        inputShape = input.shape();
        if (mode == Mode.EVAL || p == 0) {
            mask = null;
            return input;
        }
        double keep = 1 - p;
        double[] m = new double[Math.toIntExact(input.length())];
        for (int i = 0; i < m.length; i++) {
            m[i] = random.nextDouble() < keep ? 1 / keep : 0;
        }
        mask = Nd4j.create(m, input.shape(), 'c').castTo(input.dataType());
        return input.mul(mask);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (inputShape == null) {
            throw new IllegalStateException("Dropout '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, inputShape[0], context, this);
        if (mask == null) {
            return gradOutput;
        }
        return gradOutput.mul(Tensors.repeatCopies(mask, context.copies()).castTo(gradOutput.dataType()));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (inputShape == null) {
            throw new IllegalStateException("Dropout '" + path() + "': jvp called before forward");
        }
        if (!java.util.Arrays.equals(tangent.shape(), inputShape)) {
            throw new IllegalArgumentException("Dropout '" + path() + "': tangent has shape "
                    + java.util.Arrays.toString(tangent.shape()) + ", input was "
                    + java.util.Arrays.toString(inputShape));
        }
        return mask == null ? tangent : tangent.mul(mask.castTo(tangent.dataType()));
    }
}
