package io.kronlaplace.validation.metrics;

/**
 * All classification metrics of one method on one evaluation set.
 *
 * @param count          number of examples
 * @param accuracy       fraction correct
 * @param nll            mean negative log-likelihood (nats)
 * @param brier          multi-class Brier score
 * @param ece            expected calibration error
 * @param mce            maximum calibration error
 * @param meanConfidence mean largest probability
 * @param meanEntropy    mean predictive entropy (nats)
 * @param reliability    the reliability diagram (and confidence histogram) behind ECE and MCE
 */
public record ClassificationSummary(int count, double accuracy, double nll, double brier, double ece, double mce,
        double meanConfidence, double meanEntropy, ReliabilityDiagram reliability) {
}
