package io.kronlaplace.validation.metrics;

import java.util.List;

/**
 * Reliability-diagram data: equal-width confidence bins over [0, 1] with their counts, mean confidences and
 * accuracies. The counts are also the confidence histogram.
 *
 * @param bins  the bins in increasing order of confidence
 * @param total number of predictions (the sum of the counts)
 */
public record ReliabilityDiagram(List<ReliabilityBin> bins, int total) {

    /**
     * Copies the bin list.
     *
     * @param bins  the confidence bins in increasing order of confidence
     * @param total number of predictions over all bins
     */
    public ReliabilityDiagram {
        bins = List.copyOf(bins);
    }

    /**
     * Expected calibration error: sum over non-empty bins of (count / total) * |accuracy - mean confidence|.
     *
     * @return the ECE in [0, 1]
     */
    public double expectedCalibrationError() {
        double ece = 0.0;
        for (ReliabilityBin bin : bins) {
            if (!bin.isEmpty()) {
                ece += (double) bin.count() / total * bin.gap();
            }
        }
        return ece;
    }

    /**
     * Maximum calibration error: the largest |accuracy - mean confidence| over non-empty bins.
     *
     * @return the MCE in [0, 1]
     */
    public double maximumCalibrationError() {
        double mce = 0.0;
        for (ReliabilityBin bin : bins) {
            if (!bin.isEmpty()) {
                mce = Math.max(mce, bin.gap());
            }
        }
        return mce;
    }

    /**
     * The bin counts in order (the confidence histogram).
     *
     * @return the number of predictions in each bin, a new array
     */
    public int[] counts() {
        return bins.stream().mapToInt(ReliabilityBin::count).toArray();
    }
}
