package io.kronlaplace.hyperopt.search;

/**
 * One point of the hyperparameter grid.
 *
 * @param widen                 Wide ResNet widening factor
 * @param priorPrecision        initial prior precision
 * @param marglikFrequency      F, epochs between marginal-likelihood updates
 */
public record SearchConfig(int widen, double priorPrecision, int marglikFrequency) implements java.io.Serializable {
    /**
     * Checks that the point is valid.
     *
     * @param widen            Wide ResNet widening factor, &gt;= 1
     * @param priorPrecision   initial prior precision, &gt; 0
     * @param marglikFrequency F, epochs between marginal-likelihood updates, &gt;= 1
     * @throws IllegalArgumentException when a value is out of range
     */
    public SearchConfig {
        if (widen < 1 || marglikFrequency < 1 || !(priorPrecision > 0)) {
            throw new IllegalArgumentException("invalid grid point: widen " + widen + ", prior precision "
                    + priorPrecision + ", F " + marglikFrequency);
        }
    }
}
