package io.kronlaplace.hyperopt.search;

/**
 * The outcome of training one grid point.
 *
 * @param config             the grid point
 * @param logMarglik         best log marginal likelihood during training (nats; NaN when never computed)
 * @param validationNll      mean negative log-likelihood of the MAP predictive on the validation split (nats)
 * @param validationAccuracy accuracy on the validation split
 * @param parameters         number of network parameters
 * @param seconds            wall time of training and evaluation
 */
public record SearchResult(SearchConfig config, double logMarglik, double validationNll, double validationAccuracy,
                           long parameters, double seconds) implements java.io.Serializable {
}
