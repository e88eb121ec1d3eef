package io.kronlaplace.validation.metrics;

/**
 * One confidence bin of a reliability diagram: predictions whose confidence (largest probability) lies in
 * (lower, upper] (the first bin also includes its lower edge 0).
 *
 * @param lower          lower edge
 * @param upper          upper edge
 * @param count          number of predictions in the bin
 * @param meanConfidence mean confidence of those predictions, NaN when the bin is empty
 * @param accuracy       fraction of them that are correct, NaN when the bin is empty
 */
public record ReliabilityBin(double lower, double upper, int count, double meanConfidence, double accuracy) {

    /**
     * Whether the bin holds no predictions.
     *
     * @return true when the bin's count is 0
     */
    public boolean isEmpty() {
        return count == 0;
    }

    /**
     * |accuracy - mean confidence|, NaN for an empty bin.
     *
     * @return the calibration gap of the bin, in [0, 1], or NaN
     */
    public double gap() {
        return Math.abs(accuracy - meanConfidence);
    }
}
