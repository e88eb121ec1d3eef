package io.kronlaplace.validation.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Out-of-distribution detection metrics. Convention: in-distribution examples are the POSITIVES and a score is
 * larger for examples believed to be in-distribution (for example the confidence, see {@link OodScore}); an example
 * is declared in-distribution when its score is at least a threshold t.
 */
public final class OodDetection {
    /** The true-positive rate at which {@link #fprAtTpr} is usually reported. */
    public static final double TPR_95 = 0.95;

    private OodDetection() {
    }

    /**
     * Area under the ROC curve, computed exactly by the Mann-Whitney statistic with average ranks for ties:
     * AUROC = (R_in - n_in (n_in + 1) / 2) / (n_in n_out) where R_in is the sum of the ranks (1-based, ties given
     * the mean of the ranks they span) of the in-distribution scores in the pooled sample. It equals
     * P(s_in &gt; s_out) + P(s_in = s_out) / 2 over independent pairs: 1 is perfect separation, 0.5 chance.
     *
     * @param inScores  scores of the in-distribution examples, larger = more in-distribution
     * @param outScores scores of the out-of-distribution examples, on the same scale
     * @return the AUROC in [0, 1]
     */
    public static double auroc(double[] inScores, double[] outScores) {
        checkScores(inScores, outScores);
        int nIn = inScores.length;
        int nOut = outScores.length;
        int n = nIn + nOut;
        double[] pooled = new double[n];
        System.arraycopy(inScores, 0, pooled, 0, nIn);
        System.arraycopy(outScores, 0, pooled, nIn, nOut);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(pooled[a], pooled[b]));
        double rankSumIn = 0.0;
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && pooled[order[end + 1]] == pooled[order[start]]) {
                end++;
            }
            double averageRank = (start + end) / 2.0 + 1.0;
            for (int k = start; k <= end; k++) {
                if (order[k] < nIn) {
                    rankSumIn += averageRank;
                }
            }
            start = end + 1;
        }
        return (rankSumIn - nIn * (nIn + 1.0) / 2.0) / ((double) nIn * nOut);
    }

    /**
     * False-positive rate at a given true-positive rate. The threshold t is the LARGEST value for which the TPR
     * #{i : s_in,i &ge; t} / n_in is at least {@code tpr}, that is the k-th largest in-distribution score with
     * k = ceil(tpr * n_in); the result is the fraction of out-of-distribution scores that are &ge; t (OOD examples
     * wrongly accepted as in-distribution). Ties at t count as accepted on both sides.
     *
     * @param inScores  scores of the in-distribution examples, larger = more in-distribution
     * @param outScores scores of the out-of-distribution examples, on the same scale
     * @param tpr target true-positive rate in (0, 1]
     * @return the FPR in [0, 1]
     */
    public static double fprAtTpr(double[] inScores, double[] outScores, double tpr) {
        checkScores(inScores, outScores);
        if (!(tpr > 0.0 && tpr <= 1.0)) {
            throw new IllegalArgumentException("target TPR must be in (0, 1], got " + tpr);
        }
        double[] sorted = inScores.clone();
        Arrays.sort(sorted);
        // 1e-9 keeps e.g. 0.95 * 20 = 19.000000000000004 from rounding up to 20
        int k = Math.max(1, (int) Math.ceil(tpr * sorted.length - 1e-9));
        double threshold = sorted[sorted.length - k];
        int accepted = 0;
        for (double s : outScores) {
            if (s >= threshold) {
                accepted++;
            }
        }
        return (double) accepted / outScores.length;
    }

    /**
     * AUROC and FPR at 95% TPR of the given score on in- and out-of-distribution predictive probabilities.
     *
     * @param inProbabilities  {@code N_in x C} predictive probabilities on in-distribution examples
     * @param outProbabilities {@code N_out x C} predictive probabilities on out-of-distribution examples
     * @param score            how a probability row becomes an in-distribution score
     * @return the AUROC and the FPR at 95% TPR of that score
     */
    public static OodResult evaluate(double[][] inProbabilities, double[][] outProbabilities, OodScore score) {
        double[] in = score.of(inProbabilities);
        double[] out = score.of(outProbabilities);
        if (inProbabilities[0].length != outProbabilities[0].length) {
            throw new IllegalArgumentException("in-distribution predictions have " + inProbabilities[0].length
                    + " classes but out-of-distribution ones " + outProbabilities[0].length);
        }
        return new OodResult(score, auroc(in, out), fprAtTpr(in, out, TPR_95), in.length, out.length);
    }

    /**
     * {@link #evaluate(double[][], double[][], OodScore)} on INDArrays [N, C].
     *
     * @param inProbabilities  {@code N_in x C} predictive probabilities on in-distribution examples
     * @param outProbabilities {@code N_out x C} predictive probabilities on out-of-distribution examples
     * @param score            how a probability row becomes an in-distribution score
     * @return the AUROC and the FPR at 95% TPR of that score
     */
    public static OodResult evaluate(INDArray inProbabilities, INDArray outProbabilities, OodScore score) {
        return evaluate(Probabilities.toMatrix(inProbabilities), Probabilities.toMatrix(outProbabilities), score);
    }

    private static void checkScores(double[] inScores, double[] outScores) {
        if (inScores.length == 0 || outScores.length == 0) {
            throw new IllegalArgumentException("need at least one in- and one out-of-distribution score, got "
                    + inScores.length + " and " + outScores.length);
        }
        for (int i = 0; i < inScores.length; i++) {
            if (Double.isNaN(inScores[i])) {
                throw new IllegalArgumentException("in-distribution score " + i + " is NaN");
            }
        }
        for (int i = 0; i < outScores.length; i++) {
            if (Double.isNaN(outScores[i])) {
                throw new IllegalArgumentException("out-of-distribution score " + i + " is NaN");
            }
        }
    }
}
