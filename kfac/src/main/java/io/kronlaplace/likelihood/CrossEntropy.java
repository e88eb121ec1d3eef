package io.kronlaplace.likelihood;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax cross-entropy for classification: the loss of example n is {@code -log softmax(f_n)[y_n]}, with logits
 * {@code f} of shape {@code N x C} and class indices {@code y} of shape {@code [N]} (or {@code [N, 1]}) in any
 * numeric type; every index must be an integer in {@code [0, C)}.
 *
 * <p>The log-softmax is computed in double precision after subtracting each row's maximum, so large logits neither
 * overflow nor lose the small probabilities. Results come back in the outputs' data type.
 *
 * <p>Per-example Hessian w.r.t. the logits: {@code Lambda_n = diag(p_n) - p_n p_n^T}; its square root used here is
 * {@code S_n = diag(sqrt p_n) - p_n sqrt(p_n)^T} (S_n S_n^T = Lambda_n because the probabilities sum to one).
 */
public final class CrossEntropy implements Likelihood {
    private static final String NAME = "CrossEntropy";

    @Override
    public double loss(INDArray outputs, INDArray targets, Reduction reduction) {
        LikelihoodInputs.requireReduction(reduction);
        Batch b = Batch.of(outputs, requireTargets(targets));
        double total = 0;
        for (int n = 0; n < b.n; n++) {
            total -= b.logProbability(n, b.labels[n]);
        }
        return reduction == Reduction.MEAN ? total / b.n : total;
    }

    @Override
    public INDArray gradient(INDArray outputs, INDArray targets, Reduction reduction) {
        LikelihoodInputs.requireReduction(reduction);
        Batch b = Batch.of(outputs, requireTargets(targets));
        double scale = reduction == Reduction.MEAN ? 1.0 / b.n : 1.0;
        double[] g = new double[b.n * b.c];
        for (int n = 0; n < b.n; n++) {
            for (int i = 0; i < b.c; i++) {
                g[n * b.c + i] = scale * b.probability(n, i);
            }
            g[n * b.c + b.labels[n]] -= scale;
        }
        return LikelihoodInputs.fromDoubles(g, outputs.dataType(), b.n, b.c);
    }

    @Override
    public INDArray hessianSqrt(INDArray outputs) {
        Batch b = Batch.of(outputs, null);
        double[] s = new double[b.c * b.n * b.c];
        for (int n = 0; n < b.n; n++) {
            for (int c = 0; c < b.c; c++) {
                double sqrtPc = Math.sqrt(b.probability(n, c));
                int row = (c * b.n + n) * b.c;
                for (int i = 0; i < b.c; i++) {
                    s[row + i] = -b.probability(n, i) * sqrtPc;
                }
                s[row + c] += sqrtPc;
            }
        }
        return LikelihoodInputs.fromDoubles(s, outputs.dataType(), (long) b.c * b.n, b.c);
    }

    @Override
    public INDArray sampledGradients(INDArray outputs, int samples, SplittableRandom random) {
        LikelihoodInputs.requireSamples(samples);
        Objects.requireNonNull(random, "random");
        Batch b = Batch.of(outputs, null);
        double scale = 1.0 / Math.sqrt(samples);
        double[] g = new double[samples * b.n * b.c];
        for (int s = 0; s < samples; s++) {
            for (int n = 0; n < b.n; n++) {
                int row = (s * b.n + n) * b.c;
                for (int i = 0; i < b.c; i++) {
                    g[row + i] = scale * b.probability(n, i);
                }
                g[row + b.sampleLabel(n, random)] -= scale;
            }
        }
        return LikelihoodInputs.fromDoubles(g, outputs.dataType(), (long) samples * b.n, b.c);
    }

    private static INDArray requireTargets(INDArray targets) {
        if (targets == null) {
            throw new IllegalArgumentException(NAME + ": targets are null (class indices of shape [N] expected)");
        }
        return targets;
    }

    /** Logits converted to log-probabilities, with validated labels (null when the call needs none). */
    private static final class Batch {
        final int n;
        final int c;
        final double[] logp;
        final int[] labels;

        private Batch(int n, int c, double[] logp, int[] labels) {
            this.n = n;
            this.c = c;
            this.logp = logp;
            this.labels = labels;
        }

        static Batch of(INDArray outputs, INDArray targets) {
            double[] f = LikelihoodInputs.requireOutputs(outputs, NAME);
            int n = Math.toIntExact(outputs.size(0));
            int c = Math.toIntExact(outputs.size(1));
            int[] labels = targets == null ? null : labels(targets, n, c);
            for (int row = 0; row < n; row++) {
                int off = row * c;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < c; i++) {
                    max = Math.max(max, f[off + i]);
                }
                double sum = 0;
                for (int i = 0; i < c; i++) {
                    sum += Math.exp(f[off + i] - max);
                }
                double logNorm = max + Math.log(sum);
                for (int i = 0; i < c; i++) {
                    f[off + i] -= logNorm;
                }
            }
            return new Batch(n, c, f, labels);
        }

        double logProbability(int row, int cls) {
            return logp[row * c + cls];
        }

        double probability(int row, int cls) {
            return Math.exp(logp[row * c + cls]);
        }

        int sampleLabel(int row, SplittableRandom random) {
            double u = random.nextDouble();
            double cumulative = 0;
            for (int i = 0; i < c; i++) {
                cumulative += probability(row, i);
                if (u < cumulative) {
                    return i;
                }
            }
            return c - 1;
        }

        private static int[] labels(INDArray targets, int n, int c) {
            boolean column = targets.rank() == 2 && targets.size(1) == 1;
            if (!(targets.rank() == 1 || column) || targets.size(0) != n) {
                throw new IllegalArgumentException(NAME + ": targets must be class indices of shape [" + n
                        + "] (one per output row), got shape " + Arrays.toString(targets.shape()));
            }
            double[] raw = LikelihoodInputs.toDoubles(targets);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                double y = raw[i];
                if (!(y >= 0 && y < c) || y != Math.rint(y)) {
                    throw new IllegalArgumentException(NAME + ": target " + y + " at row " + i
                            + " is not a class index in [0, " + c + ")");
                }
                labels[i] = (int) y;
            }
            return labels;
        }
    }
}
