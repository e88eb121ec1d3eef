package io.kronlaplace.validation.metrics;

/**
 * How a predictive distribution is turned into an in-distribution score: larger means "more likely
 * in-distribution".
 */
public enum OodScore {
    /** The confidence max_c p_c. */
    MAX_PROBABILITY,
    /** Minus the predictive entropy, sum_c p_c log p_c. */
    NEGATIVE_ENTROPY;

    /**
     * The score of one probability row.
     *
     * @param row class probabilities of one example
     * @return the in-distribution score, larger = more in-distribution
     */
    public double of(double[] row) {
        return this == MAX_PROBABILITY ? Probabilities.max(row) : -ClassificationMetrics.entropyOf(row);
    }

    /**
     * The scores of all rows (validated as probabilities).
     *
     * @param probabilities {@code N x C} predictive probabilities
     * @return the score of each row
     */
    public double[] of(double[][] probabilities) {
        Probabilities.check(probabilities, null);
        double[] scores = new double[probabilities.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = of(probabilities[i]);
        }
        return scores;
    }
}
