package io.kronlaplace.laplace.tuning;

import io.kronlaplace.laplace.PriorPrecision;
import java.util.List;

/**
 * Outcome of a hyperparameter search.
 *
 * @param prior     the chosen prior precision (also set on the posterior)
 * @param sigma     the chosen observation noise (unchanged unless tuned)
 * @param objective the final objective: log marginal likelihood (higher is better) or validation NLL per example
 *                  (lower is better), as the tuner documents
 * @param history   the objective at each step or grid point, in order
 */
public record TuningResult(PriorPrecision prior, double sigma, double objective, List<Double> history) {
}
