package io.kronlaplace.validation.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What was logged at the end of one training epoch.
 *
 * @param epoch                 epoch number (1-based by convention)
 * @param trainLoss             mean training loss of the epoch
 * @param logMarginalLikelihood log marginal likelihood estimate, NaN when not computed in this epoch
 * @param hyperparameters       hyperparameter values by name (for example "prior precision"), in display order
 * @param metrics               other per-epoch measurements by name (for example "train accuracy"), in display order;
 *                              charted apart from the hyperparameters
 */
public record EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
        Map<String, Double> hyperparameters, Map<String, Double> metrics) {

    /** Copies the maps, keeping their order. */
    public EpochRecord {
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * An epoch without other measurements.
     *
     * @param epoch                 epoch number (1-based by convention)
     * @param trainLoss             mean training loss of the epoch
     * @param logMarginalLikelihood log marginal likelihood estimate, NaN when not computed in this epoch
     * @param hyperparameters       hyperparameter values by name, in display order
     */
    public EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
            Map<String, Double> hyperparameters) {
        this(epoch, trainLoss, logMarginalLikelihood, hyperparameters, Map.of());
    }

    /** An epoch with only a training loss. */
    public static EpochRecord loss(int epoch, double trainLoss) {
        return new EpochRecord(epoch, trainLoss, Double.NaN, Map.of());
    }
}
