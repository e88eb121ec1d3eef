package io.kronlaplace.laplace.tuning;

import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.MarginalLikelihood;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.optim.Adam;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-hoc tuning of the prior precision (and, for regression, optionally the observation noise) by maximising the
 * Laplace log marginal likelihood with Adam on the logarithms, using the closed-form hyper-gradients. Each step reuses
 * the fitted decomposition, so it costs one marginal-likelihood evaluation. The posterior is left at the final
 * hyperparameters.
 */
public final class MarginalLikelihoodTuner {
    private final int steps;
    private final double learningRate;
    private final boolean tuneSigma;

    /**
     * @param steps        Adam steps (>= 1)
     * @param learningRate Adam learning rate on the log-hyperparameters (e.g. 0.1)
     * @param tuneSigma    also learn log sigma (regression posteriors only)
     */
    public MarginalLikelihoodTuner(int steps, double learningRate, boolean tuneSigma) {
        if (steps < 1) {
            throw new IllegalArgumentException("tuning needs >= 1 steps, got " + steps);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        this.steps = steps;
        this.learningRate = learningRate;
        this.tuneSigma = tuneSigma;
    }

    /**
     * Tuning of the prior precision alone with the usual settings (100 steps, learning rate 0.1).
     *
     * @return a tuner of the prior precisions only
     */
    public static MarginalLikelihoodTuner priorOnly() {
        return new MarginalLikelihoodTuner(100, 0.1, false);
    }

    /**
     * Runs the optimisation on a fitted posterior, starting from its current hyperparameters.
     *
     * @param posterior a fitted posterior; its hyperparameters are updated in place
     * @return the chosen prior precision and sigma (also set on the posterior), the final log marginal likelihood
     *         and its value at each step
     * @throws IllegalStateException before fit, or when sigma is to be tuned on a classification posterior
     */
    public TuningResult tune(LaplacePosterior posterior) {
        if (tuneSigma && posterior.likelihood() != LikelihoodType.REGRESSION) {
            throw new IllegalStateException("sigma can only be tuned for REGRESSION posteriors");
        }
        PriorPrecision prior = posterior.priorPrecision();
        int k = prior.size();
        double[] x = new double[k + (tuneSigma ? 1 : 0)];
        System.arraycopy(prior.logValues(), 0, x, 0, k);
        if (tuneSigma) {
            x[k] = Math.log(posterior.sigma());
        }
        Adam adam = Adam.builder().learningRate(learningRate).build();
        List<Double> history = new ArrayList<>();
        double[] logs = new double[k];
        for (int step = 0; step < steps; step++) {
            MarginalLikelihood ml = posterior.marginalLikelihood();
            history.add(ml.value());
            double[] negGrad = new double[x.length];
            double[] gp = ml.logPriorGradient();
            for (int i = 0; i < k; i++) {
                negGrad[i] = -gp[i];
            }
            if (tuneSigma) {
                negGrad[k] = -ml.logSigmaGradient();
            }
            adam.step(x, negGrad);
            System.arraycopy(x, 0, logs, 0, k);
            posterior.setPriorPrecision(prior.withLogValues(logs));
            if (tuneSigma) {
                posterior.setSigma(Math.exp(x[k]));
            }
        }
        double last = posterior.logMarginalLikelihood();
        history.add(last);
        return new TuningResult(posterior.priorPrecision(), posterior.sigma(), last, List.copyOf(history));
    }
}
