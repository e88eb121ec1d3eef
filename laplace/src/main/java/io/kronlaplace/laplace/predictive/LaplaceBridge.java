package io.kronlaplace.laplace.predictive;

import io.kronlaplace.laplace.FunctionalPrediction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Laplace bridge (Hobbhahn, Kristiadi and Hennig 2022) from a Gaussian over C logits to a Dirichlet over the class
 * probabilities, whose mean is the predictive: see docs/laplace.md, section Link approximations.
 *
 * <p>Per example, the Gaussian N(mu, Sigma) is first conditioned on a zero sum of logits (softmax is invariant to a
 * shift of all logits, and the bridge assumes zero-sum logits):
 * {@code mu' = mu - Sigma 1 (1^T mu) / (1^T Sigma 1)}, {@code Sigma' = Sigma - Sigma 1 1^T Sigma / (1^T Sigma 1)}.
 * The Dirichlet parameters are then
 * {@code alpha_k = (1 - 2/C + exp(mu'_k) / C^2 sum_l exp(-mu'_l)) / Sigma'_kk}, and the class probabilities
 * {@code alpha / sum(alpha)}. The normalised variant first divides mu' by sqrt(c) and diag Sigma' by c with
 * {@code c = mean_k Sigma'_kk / sqrt(C / 2)}.
 */
public final class LaplaceBridge {
    private LaplaceBridge() {
    }

    /**
     * Class probabilities, {@code N x C} float64, rows summing to 1.
     *
     * @param f          the Gaussian over logits of each example
     * @param normalised whether to apply the variance normalisation of {@link LinkApproximation#BRIDGE_NORM}
     * @return class probabilities, {@code N x C} float64, rows summing to 1
     * @throws IllegalArgumentException when an example has fewer than two classes or its conditioned covariance has a
     *                                  non-positive diagonal entry (the Dirichlet is then undefined)
     */
    public static INDArray probabilities(FunctionalPrediction f, boolean normalised) {
        int n = Math.toIntExact(f.mean().size(0));
        int c = Math.toIntExact(f.mean().size(1));
        if (c < 2) {
            throw new IllegalArgumentException("the Laplace bridge needs at least 2 classes, got " + c);
        }
        double[] means = f.mean().castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] covariances = f.covariance().castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[n * c];
        double[] mu = new double[c];
        double[] variance = new double[c];
        double[] rowSums = new double[c];
        for (int i = 0; i < n; i++) {
            int base = i * c * c;
            double total = 0;
            double muSum = 0;
            for (int k = 0; k < c; k++) {
                double r = 0;
                for (int l = 0; l < c; l++) {
                    r += covariances[base + k * c + l];
                }
                rowSums[k] = r;
                total += r;
                muSum += means[i * c + k];
            }
            if (!(total > 0)) {
                throw new IllegalArgumentException("Laplace bridge: the logit covariance of example " + i
                        + " has 1^T Sigma 1 = " + total + " (no uncertainty about the logits' sum direction)");
            }
            double meanVariance = 0;
            for (int k = 0; k < c; k++) {
                mu[k] = means[i * c + k] - rowSums[k] * muSum / total;
                variance[k] = covariances[base + k * c + k] - rowSums[k] * rowSums[k] / total;
                if (!(variance[k] > 0)) {
                    throw new IllegalArgumentException("Laplace bridge: the zero-sum conditioned variance of logit "
                            + k + " of example " + i + " is " + variance[k] + ", a Dirichlet needs it positive");
                }
                meanVariance += variance[k] / c;
            }
            if (normalised) {
                double scale = meanVariance / Math.sqrt(c / 2.0);
                double muScale = Math.sqrt(scale);
                for (int k = 0; k < c; k++) {
                    mu[k] /= muScale;
                    variance[k] /= scale;
                }
            }
            double sumExpNegative = 0;
            for (int k = 0; k < c; k++) {
                sumExpNegative += Math.exp(-mu[k]);
            }
            double alphaSum = 0;
            for (int k = 0; k < c; k++) {
                double alpha = (1 - 2.0 / c + Math.exp(mu[k]) * sumExpNegative / ((double) c * c)) / variance[k];
                out[i * c + k] = alpha;
                alphaSum += alpha;
            }
            for (int k = 0; k < c; k++) {
                out[i * c + k] /= alphaSum;
            }
        }
        return Nd4j.create(out, new long[] {n, c}, 'c');
    }
}
