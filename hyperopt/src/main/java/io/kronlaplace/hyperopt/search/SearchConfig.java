package io.kronlaplace.hyperopt.search;

/**
 * One point of the hyperparameter grid.
 *
 * @param widen                 Wide ResNet widening factor
 * @param priorPrecision        initial prior precision
 * @param marglikFrequency      F, epochs between marginal-likelihood updates
 */
public record SearchConfig(int widen, double priorPrecision, int marglikFrequency) implements java.io.Serializable {
    public SearchConfig {
        if (widen < 1 || marglikFrequency < 1 || !(priorPrecision > 0)) {
            throw new IllegalArgumentException("invalid grid point: widen " + widen + ", prior precision "
                    + priorPrecision + ", F " + marglikFrequency);
        }
    }
}
