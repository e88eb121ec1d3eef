package io.kronlaplace.likelihood;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Independent Bernoulli likelihoods on logits for multi-label targets (as in ogbg-molpcba): outputs {@code f} and
 * targets {@code y} are both {@code N x T}; a target is 0, 1 or NaN for a missing label, which contributes nothing.
 * The loss of an observed entry is {@code softplus(f) - y f = -log sigmoid(+-f)}, computed stably for large |f|.
 *
 * <p>Per-example Hessian w.r.t. the logits: {@code diag(p (1 - p) m)} with {@code p = sigmoid(f)} and m the observed
 * mask; its square root is diagonal, so the T back-propagated vectors of the exact GGN are
 * {@code sqrt(p_t (1 - p_t) m_t) e_t}. The mask needs the targets: {@link #hessianSqrt(INDArray, INDArray)} and
 * {@link #sampledGradients(INDArray, INDArray, int, SplittableRandom)} use it, while the target-free forms treat every
 * label as observed. Results come back in the outputs' data type. See docs/graph-networks.md, section
 * "Binary cross-entropy".
 */
public final class BinaryCrossEntropy implements Likelihood {
    private static final String NAME = "BinaryCrossEntropy";

    @Override
    public double loss(INDArray outputs, INDArray targets, Reduction reduction) {
        LikelihoodInputs.requireReduction(reduction);
        double[] f = LikelihoodInputs.requireOutputs(outputs, NAME);
        double[] y = labels(targets, outputs);
        double total = 0;
        for (int i = 0; i < f.length; i++) {
            if (!Double.isNaN(y[i])) {
                total += softplus(f[i]) - y[i] * f[i];
            }
        }
        return reduction == Reduction.MEAN ? total / outputs.size(0) : total;
    }

    @Override
    public INDArray gradient(INDArray outputs, INDArray targets, Reduction reduction) {
        LikelihoodInputs.requireReduction(reduction);
        double[] f = LikelihoodInputs.requireOutputs(outputs, NAME);
        double[] y = labels(targets, outputs);
        double scale = reduction == Reduction.MEAN ? 1.0 / outputs.size(0) : 1.0;
        double[] g = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            g[i] = Double.isNaN(y[i]) ? 0 : scale * (sigmoid(f[i]) - y[i]);
        }
        return LikelihoodInputs.fromDoubles(g, outputs.dataType(), outputs.size(0), outputs.size(1));
    }

    /** The Hessian square root with every label observed; see {@link #hessianSqrt(INDArray, INDArray)}. */
    @Override
    public INDArray hessianSqrt(INDArray outputs) {
        return hessianSqrt(outputs, null);
    }

    /**
     * T vectors per example, copy-major: row {@code t * N + n} is {@code sqrt(p (1 - p))} at entry t for an observed
     * label t of example n and zero elsewhere.
     *
     * @param targets N x T labels (NaN = missing), or null for all observed
     */
    @Override
    public INDArray hessianSqrt(INDArray outputs, INDArray targets) {
        double[] f = LikelihoodInputs.requireOutputs(outputs, NAME);
        double[] y = targets == null ? null : labels(targets, outputs);
        int n = Math.toIntExact(outputs.size(0));
        int t = Math.toIntExact(outputs.size(1));
        double[] s = new double[t * n * t];
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < t; c++) {
                int i = e * t + c;
                if (y == null || !Double.isNaN(y[i])) {
                    double p = sigmoid(f[i]);
                    s[(c * n + e) * t + c] = Math.sqrt(p * (1 - p));
                }
            }
        }
        return LikelihoodInputs.fromDoubles(s, outputs.dataType(), (long) t * n, t);
    }

    /** MC Fisher gradients with every label observed; see the target-aware form. */
    @Override
    public INDArray sampledGradients(INDArray outputs, int samples, SplittableRandom random) {
        return sampledGradients(outputs, null, samples, random);
    }

    /**
     * Gradients {@code (p - y~) m / sqrt(samples)} at labels {@code y~ ~ Bernoulli(p)} drawn for every entry,
     * {@code samples * N} rows, copy-major; m masks the missing labels of {@code targets} (null: all observed).
     */
    @Override
    public INDArray sampledGradients(INDArray outputs, INDArray targets, int samples, SplittableRandom random) {
        LikelihoodInputs.requireSamples(samples);
        Objects.requireNonNull(random, "random");
        double[] f = LikelihoodInputs.requireOutputs(outputs, NAME);
        double[] y = targets == null ? null : labels(targets, outputs);
        double scale = 1.0 / Math.sqrt(samples);
        double[] g = new double[samples * f.length];
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < f.length; i++) {
                double p = sigmoid(f[i]);
                double draw = random.nextDouble() < p ? 1 : 0;
                g[s * f.length + i] = y != null && Double.isNaN(y[i]) ? 0 : scale * (p - draw);
            }
        }
        return LikelihoodInputs.fromDoubles(g, outputs.dataType(), samples * outputs.size(0), outputs.size(1));
    }

    /**
     * The logistic function, without overflow for large |x|.
     *
     * @param x a logit, any value (infinities give 0 and 1)
     * @return 1 / (1 + exp(-x)), in [0, 1]
     */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /**
     * The softplus function, without overflow or loss of precision for large |x|.
     *
     * @param x a logit, any finite value
     * @return log(1 + exp(x)), positive; -log sigmoid(-x)
     */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * The targets as row-major doubles after checking their shape against the outputs and that each is 0, 1 or NaN.
     *
     * @param targets N x T labels, each 0, 1 or NaN for a missing label, of any numeric type
     * @param outputs the N x T logits the targets belong to; only their shape is read
     * @return a new row-major array of the N * T labels as doubles, NaN where missing
     * @throws IllegalArgumentException naming the row and column of a bad label
     */
    public static double[] labels(INDArray targets, INDArray outputs) {
        if (targets == null) {
            throw new IllegalArgumentException(NAME + ": targets are null (N x T labels 0, 1 or NaN expected)");
        }
        if (!Arrays.equals(targets.shape(), outputs.shape())) {
            throw new IllegalArgumentException(NAME + ": targets must have the outputs' shape "
                    + Arrays.toString(outputs.shape()) + ", got " + Arrays.toString(targets.shape()));
        }
        double[] y = LikelihoodInputs.toDoubles(targets);
        long t = outputs.size(1);
        for (int i = 0; i < y.length; i++) {
            if (!(Double.isNaN(y[i]) || y[i] == 0 || y[i] == 1)) {
                throw new IllegalArgumentException(NAME + ": label " + y[i] + " at row " + i / t + ", column "
                        + i % t + " is not 0, 1 or NaN (missing)");
            }
        }
        return y;
    }
}
