package io.kronlaplace.laplace.predictive;

import io.kronlaplace.laplace.FunctionalPrediction;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The linearised (GLM) predictive f* ~ N(f(x; theta*), J P^-1 J^T) of a fitted posterior, for classification
 * (probit, Monte-Carlo or Laplace-bridge link), multi-label binary outputs (probit link) and regression (Gaussian
 * outputs).
 */
public final class GlmPredictive implements Predictive {
    private final LaplacePosterior posterior;
    private final int rowsPerExample;

    /**
     * The predictive of the posterior's network, one input row per example.
     *
     * @param posterior a posterior (fitted before predicting)
     */
    public GlmPredictive(LaplacePosterior posterior) {
        this(posterior, 1);
    }

    /**
     * The predictive of the invariant model that averages the network's outputs over S augmented copies of each
     * example: every method then takes {@code N*S} input rows (the S copies of example n consecutive) and predicts N
     * examples from the Gaussian over the averaged outputs ({@link LaplacePosterior#functionalPrediction(INDArray,
     * int)}).
     *
     * @param posterior      a posterior (fitted before predicting)
     * @param rowsPerExample S, augmented copies per example, at least 1
     * @throws IllegalArgumentException when S is below 1
     */
    public GlmPredictive(LaplacePosterior posterior, int rowsPerExample) {
        this.posterior = Objects.requireNonNull(posterior, "posterior");
        if (rowsPerExample < 1) {
            throw new IllegalArgumentException("rows per example must be >= 1, got " + rowsPerExample);
        }
        this.rowsPerExample = rowsPerExample;
    }

    /**
     * Class probabilities, {@code N x C} float64, rows summing to 1.
     *
     * <p>Monte-Carlo samples of row {@code i} come from a random stream of their own, seeded with {@code seed + i}: a
     * row's result depends only on that sum, so a data set predicted in batches, each seeded with a base seed plus its
     * first row's index, gives the same numbers for every batch size.
     *
     * @param x       network inputs, N rows ({@code N*S} for an invariant model)
     * @param link    how the Gaussian over the logits is turned into probabilities
     * @param samples Monte-Carlo samples per example (MC only; ignored by the other links)
     * @param seed    seed of row 0's samples (MC only)
     * @return the probabilities
     * @throws IllegalStateException for a regression posterior or before fit
     */
    public INDArray classify(INDArray x, LinkApproximation link, int samples, long seed) {
        require(LikelihoodType.CLASSIFICATION);
        return classify(posterior.functionalPrediction(x, rowsPerExample), link, samples, seed);
    }

    /**
     * Class probabilities of an already computed functional prediction, {@code N x C} float64, rows summing to 1:
     * the result of {@link #classify(INDArray, LinkApproximation, int, long)} without repeating the Jacobian
     * products, so several links can be compared on one {@link LaplacePosterior#functionalPrediction} (the dominant
     * cost).
     *
     * @param f       the Gaussian over the logits of a batch, from {@link LaplacePosterior#functionalPrediction}
     * @param link    how the Gaussian is pushed through the softmax
     * @param samples Monte-Carlo samples per example (MC only; ignored by the other links)
     * @param seed    seed of the Monte-Carlo samples (MC only)
     * @return the class probabilities
     * @throws IllegalArgumentException for MC with fewer than one sample
     */
    public static INDArray classify(FunctionalPrediction f, LinkApproximation link, int samples, long seed) {
        Objects.requireNonNull(f, "functional prediction");
        return switch (link) {
            case PROBIT -> probit(f);
            case MC -> monteCarlo(f, samples, seed);
            case BRIDGE -> LaplaceBridge.probabilities(f, false);
            case BRIDGE_NORM -> LaplaceBridge.probabilities(f, true);
        };
    }

    /**
     * Class probabilities under each of several links from one functional prediction: for every link the result of
     * {@link #classify(INDArray, LinkApproximation, int, long)} with the same arguments, computing the Jacobian
     * products (the dominant cost) once.
     *
     * @param x       network inputs, N rows ({@code N*S} for an invariant model)
     * @param links   the links, at least one
     * @param samples Monte-Carlo samples per example (MC only; ignored by the other links)
     * @param seed    seed of the Monte-Carlo samples (MC only)
     * @return for each requested link its {@code N x C} float64 probabilities, in the enum's order
     * @throws IllegalArgumentException for no links, or MC with fewer than one sample
     * @throws IllegalStateException    for a non-classification posterior or before fit
     */
    public Map<LinkApproximation, INDArray> classify(INDArray x, Collection<LinkApproximation> links, int samples,
                                                     long seed) {
        if (links.isEmpty()) {
            throw new IllegalArgumentException("at least one link approximation is needed");
        }
        require(LikelihoodType.CLASSIFICATION);
        FunctionalPrediction f = posterior.functionalPrediction(x, rowsPerExample);
        Map<LinkApproximation, INDArray> out = new EnumMap<>(LinkApproximation.class);
        for (LinkApproximation link : links) {
            out.put(link, classify(f, link, samples, seed));
        }
        return out;
    }

    /** Class probabilities of both link approximations, each {@code N x C}. */
    public record BothLinks(INDArray probit, INDArray monteCarlo) {
    }

    /**
     * Probit and Monte-Carlo class probabilities from one functional prediction: the same results as two
     * {@link #classify} calls with the same arguments, for half the cost (the Jacobian products dominate).
     *
     * @param x       network inputs, N rows ({@code N*S} for an invariant model)
     * @param samples Monte-Carlo samples per example
     * @param seed    seed of row 0's samples; row {@code i} uses {@code seed + i} (see {@link #classify})
     * @return the probit and the Monte-Carlo probabilities, each {@code N x C}
     * @throws IllegalStateException for a regression posterior or before fit
     */
    public BothLinks classifyWithBothLinks(INDArray x, int samples, long seed) {
        Map<LinkApproximation, INDArray> p = classify(x, List.of(LinkApproximation.PROBIT, LinkApproximation.MC),
                samples, seed);
        return new BothLinks(p.get(LinkApproximation.PROBIT), p.get(LinkApproximation.MC));
    }

    /**
     * Class probabilities under the probit link (the default link approximation).
     *
     * @param x network inputs ({@code N*S} rows for an invariant model)
     * @return {@code N x C} float64, rows summing to 1
     * @throws IllegalStateException for a non-classification posterior or before fit
     */
    @Override
    public INDArray classify(INDArray x) {
        return probit(x);
    }

    /**
     * Probit-approximated class probabilities, {@code N x C}.
     *
     * @param x network inputs ({@code N*S} rows for an invariant model)
     * @return the class probabilities, float64, rows summing to 1
     * @throws IllegalStateException for a non-classification posterior or before fit
     */
    public INDArray probit(INDArray x) {
        return classify(x, LinkApproximation.PROBIT, 0, 0);
    }

    /**
     * Per-label probabilities of a BINARY posterior, {@code N x C} float64: the probit approximation
     * {@code sigmoid(mu / sqrt(1 + pi/8 sigma^2))} of the expected sigmoid under the Gaussian over each logit, with
     * sigma^2 the diagonal of the functional covariance.
     *
     * @param x network inputs, N rows
     * @return per-label probabilities, {@code N x C} float64
     * @throws IllegalStateException for a non-BINARY posterior or before fit
     */
    public INDArray multiLabel(INDArray x) {
        require(LikelihoodType.BINARY);
        FunctionalPrediction f = posterior.functionalPrediction(x, rowsPerExample);
        INDArray kappa = org.nd4j.linalg.ops.transforms.Transforms.sqrt(f.variance().muli(Math.PI / 8).addi(1.0),
                false);
        return org.nd4j.linalg.ops.transforms.Transforms.sigmoid(f.mean().castTo(
                org.nd4j.linalg.api.buffer.DataType.DOUBLE).div(kappa), false);
    }

    /**
     * Gaussian predictive of a regression posterior.
     *
     * @param x network inputs ({@code N*S} rows for an invariant model)
     * @return mean, functional variance and predictive variance (functional plus sigma^2), each {@code N x C}
     * @throws IllegalStateException for a non-regression posterior or before fit
     */
    @Override
    public GaussianPrediction regress(INDArray x) {
        require(LikelihoodType.REGRESSION);
        FunctionalPrediction f = posterior.functionalPrediction(x, rowsPerExample);
        INDArray fv = f.variance();
        double s2 = posterior.sigma() * posterior.sigma();
        return new GaussianPrediction(f.mean(), fv, fv.add(s2));
    }

    /** softmax(mu / sqrt(1 + pi/8 diag Sigma)). */
    static INDArray probit(FunctionalPrediction f) {
        INDArray kappa = org.nd4j.linalg.ops.transforms.Transforms.sqrt(f.variance().muli(Math.PI / 8).addi(1.0),
                false);
        return LikelihoodType.softmax(f.mean().div(kappa));
    }

    static INDArray monteCarlo(FunctionalPrediction f, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("Monte-Carlo predictive needs >= 1 samples, got " + samples);
        }
        int n = Math.toIntExact(f.mean().size(0));
        int c = Math.toIntExact(f.mean().size(1));
        double[] out = new double[n * c];
        double[] logits = new double[c];
        for (int i = 0; i < n; i++) {
            // a stream per row: the samples must not depend on which rows share the batch
            SplittableRandom random = new SplittableRandom(seed + i);
            double[][] l = choleskyWithJitter(f.covariance(), i, c);
            for (int s = 0; s < samples; s++) {
                double[] eps = new double[c];
                for (int k = 0; k < c; k++) {
                    eps[k] = gaussian(random);
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    double v = f.mean().getDouble(i, k);
                    for (int j = 0; j <= k; j++) {
                        v += l[k][j] * eps[j];
                    }
                    logits[k] = v;
                    max = Math.max(max, v);
                }
                double z = 0;
                for (int k = 0; k < c; k++) {
                    logits[k] = Math.exp(logits[k] - max);
                    z += logits[k];
                }
                for (int k = 0; k < c; k++) {
                    out[i * c + k] += logits[k] / (z * samples);
                }
            }
        }
        return Nd4j.create(out, new long[] {n, c}, 'c');
    }

    /** Lower Cholesky factor of Sigma_i, adding growing jitter when rounding made it semi-definite. */
    private static double[][] choleskyWithJitter(INDArray cov, int i, int c) {
        DMatrixRMaj m = new DMatrixRMaj(c, c);
        double trace = 0;
        for (int a = 0; a < c; a++) {
            for (int b = 0; b < c; b++) {
                m.set(a, b, cov.getDouble(i, a, b));
            }
            trace += cov.getDouble(i, a, a);
        }
        double jitter = 0;
        for (int attempt = 0; attempt < 12; attempt++) {
            DMatrixRMaj t = m.copy();
            for (int a = 0; a < c; a++) {
                t.add(a, a, jitter);
            }
            CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(c, true);
            if (chol.decompose(t)) {
                DMatrixRMaj l = chol.getT(null);
                double[][] out = new double[c][c];
                for (int a = 0; a < c; a++) {
                    for (int b = 0; b <= a; b++) {
                        out[a][b] = l.get(a, b);
                    }
                }
                return out;
            }
            jitter = jitter == 0 ? 1e-12 * Math.max(trace / c, 1e-300) : jitter * 10;
        }
        throw new IllegalStateException("functional covariance of example " + i + " is not positive semi-definite");
    }

    static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private void require(LikelihoodType type) {
        if (posterior.likelihood() != type) {
            throw new IllegalStateException("this predictive is for " + type + ", the posterior is "
                    + posterior.likelihood());
        }
    }
}
