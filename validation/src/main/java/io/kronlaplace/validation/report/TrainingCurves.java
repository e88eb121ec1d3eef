package io.kronlaplace.validation.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-epoch training history: training loss, test metrics, log marginal likelihood and hyperparameters by name.
 *
 * @param epochs the epochs in increasing order of epoch number
 */
public record TrainingCurves(List<EpochRecord> epochs) {

    /**
     * Copies the list and checks that epoch numbers increase.
     *
     * @param epochs the epochs in increasing order of epoch number
     * @throws IllegalArgumentException when epoch numbers do not increase
     */
    public TrainingCurves {
        epochs = List.copyOf(epochs);
        for (int i = 1; i < epochs.size(); i++) {
            if (epochs.get(i).epoch() <= epochs.get(i - 1).epoch()) {
                throw new IllegalArgumentException("epoch numbers must increase, got " + epochs.get(i - 1).epoch()
                        + " then " + epochs.get(i).epoch());
            }
        }
    }

    /**
     * Names of all hyperparameters that appear in any epoch, in order of first appearance.
     *
     * @return the hyperparameter names
     */
    public List<String> hyperparameterNames() {
        Set<String> names = new LinkedHashSet<>();
        for (EpochRecord record : epochs) {
            names.addAll(record.hyperparameters().keySet());
        }
        return new ArrayList<>(names);
    }

    /**
     * Names of all other per-epoch measurements ({@link EpochRecord#metrics()}) in order of first appearance.
     *
     * @return the names, each once
     */
    public List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (EpochRecord record : epochs) {
            names.addAll(record.metrics().keySet());
        }
        return new ArrayList<>(names);
    }

    /**
     * Values of one measurement per epoch.
     *
     * @param name a name from {@link #metricNames()}
     * @return one value per epoch, NaN where absent
     */
    public double[] metric(String name) {
        return epochs.stream().mapToDouble(e -> e.metrics().getOrDefault(name, Double.NaN)).toArray();
    }

    /**
     * Whether any epoch has a finite log marginal likelihood.
     *
     * @return true when some epoch has a finite log marginal likelihood
     */
    public boolean hasLogMarginalLikelihood() {
        return epochs.stream().anyMatch(e -> Double.isFinite(e.logMarginalLikelihood()));
    }

    /**
     * Epoch numbers.
     *
     * @return the epoch number of every epoch, in order
     */
    public double[] epochNumbers() {
        return epochs.stream().mapToDouble(EpochRecord::epoch).toArray();
    }

    /**
     * Training losses per epoch.
     *
     * @return the mean training loss of every epoch, in order
     */
    public double[] trainLoss() {
        return epochs.stream().mapToDouble(EpochRecord::trainLoss).toArray();
    }

    /**
     * Log marginal likelihood per epoch (NaN where not computed).
     *
     * @return the log marginal likelihood of every epoch, in order
     */
    public double[] logMarginalLikelihood() {
        return epochs.stream().mapToDouble(EpochRecord::logMarginalLikelihood).toArray();
    }

    /**
     * Test accuracy per epoch.
     *
     * @return one value per epoch, NaN where not evaluated
     */
    public double[] testAccuracy() {
        return epochs.stream().mapToDouble(EpochRecord::testAccuracy).toArray();
    }

    /**
     * Test negative log-likelihood per epoch.
     *
     * @return one value per epoch (nats per example), NaN where not evaluated
     */
    public double[] testNll() {
        return epochs.stream().mapToDouble(EpochRecord::testNll).toArray();
    }

    /**
     * Values of one hyperparameter per epoch (NaN where absent).
     *
     * @param name the hyperparameter's name
     * @return its value in every epoch, in order
     */
    public double[] hyperparameter(String name) {
        return epochs.stream().mapToDouble(e -> e.hyperparameters().getOrDefault(name, Double.NaN)).toArray();
    }
}
