package io.kronlaplace.laplace.tuning;

import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.predictive.GaussianPrediction;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.likelihood.BinaryCrossEntropy;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Post-hoc tuning of a scalar prior precision by grid search on a validation set: for each candidate the linearised
 * predictive (probit for classification, Gaussian for regression) is evaluated and the candidate with the lowest
 * negative log-likelihood per example wins. The posterior is left at the winner.
 */
public final class GridSearch {
    private final double[] candidates;

    /** @param candidates scalar prior precisions to try, each finite and > 0 */
    public GridSearch(double... candidates) {
        if (candidates.length == 0) {
            throw new IllegalArgumentException("grid search needs at least one candidate");
        }
        for (double c : candidates) {
            PriorPrecision.scalar(c);
        }
        this.candidates = candidates.clone();
    }

    /**
     * A log-spaced grid of {@code count} values from {@code low} to {@code high}.
     *
     * @param low   the smallest prior precision, &gt; 0
     * @param high  the largest prior precision, &gt; low
     * @param count number of candidates, &gt;= 2
     * @return the grid search over these candidates
     */
    public static GridSearch logSpaced(double low, double high, int count) {
        if (!(low > 0) || !(high > low) || count < 2) {
            throw new IllegalArgumentException("need 0 < low < high and count >= 2, got low=" + low + ", high=" + high
                    + ", count=" + count);
        }
        double[] c = new double[count];
        for (int i = 0; i < count; i++) {
            c[i] = Math.exp(Math.log(low) + i * (Math.log(high) - Math.log(low)) / (count - 1));
        }
        return new GridSearch(c);
    }

    /**
     * Evaluates every candidate on the validation batches and keeps the best.
     *
     * @param posterior  a fitted posterior; left at the best candidate
     * @param validation the validation batches, at least one
     * @return the winner with the validation NLL per example as objective; history holds each candidate's NLL
     */
    public TuningResult tune(LaplacePosterior posterior, List<Batch> validation) {
        if (validation.isEmpty()) {
            throw new IllegalArgumentException("grid search needs at least one validation batch");
        }
        List<Double> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        double bestPrior = candidates[0];
        for (double c : candidates) {
            posterior.setPriorPrecision(PriorPrecision.scalar(c));
            double nll = validationNll(posterior, validation);
            history.add(nll);
            if (nll < best) {
                best = nll;
                bestPrior = c;
            }
        }
        posterior.setPriorPrecision(PriorPrecision.scalar(bestPrior));
        return new TuningResult(posterior.priorPrecision(), posterior.sigma(), best, List.copyOf(history));
    }

    /**
     * Mean negative log-likelihood per example of the validation targets under the linearised predictive (for BINARY
     * the summed Bernoulli terms of the observed labels per example).
     *
     * @param posterior  a fitted posterior, at the prior precision to score
     * @param validation the validation batches, at least one
     * @return the mean negative log-likelihood per example
     */
    public static double validationNll(LaplacePosterior posterior, List<Batch> validation) {
        GlmPredictive glm = new GlmPredictive(posterior);
        double sum = 0;
        long n = 0;
        for (Batch b : validation) {
            INDArray t = b.targets();
            if (posterior.likelihood() == LikelihoodType.CLASSIFICATION) {
                INDArray p = glm.probit(b.inputs());
                posterior.likelihood().validate(p, t);
                for (long i = 0; i < p.size(0); i++) {
                    sum -= Math.log(Math.max(p.getDouble(i, t.getLong(i)), Double.MIN_NORMAL));
                }
                n += p.size(0);
            } else if (posterior.likelihood() == LikelihoodType.BINARY) {
                INDArray p = glm.multiLabel(b.inputs());
                double[] y = BinaryCrossEntropy.labels(t, p);
                double[] q = p.dup('c').reshape(p.length()).toDoubleVector();
                for (int i = 0; i < y.length; i++) {
                    if (!Double.isNaN(y[i])) {
                        sum -= Math.log(Math.max(y[i] == 1 ? q[i] : 1 - q[i], Double.MIN_NORMAL));
                    }
                }
                n += p.size(0);
            } else {
                GaussianPrediction g = glm.regress(b.inputs());
                posterior.likelihood().validate(g.mean(), t);
                for (long i = 0; i < t.size(0); i++) {
                    for (long k = 0; k < t.size(1); k++) {
                        double v = g.variance().getDouble(i, k);
                        double r = t.getDouble(i, k) - g.mean().getDouble(i, k);
                        sum += 0.5 * (Math.log(2 * Math.PI * v) + r * r / v);
                    }
                }
                n += t.size(0);
            }
        }
        return sum / n;
    }
}
