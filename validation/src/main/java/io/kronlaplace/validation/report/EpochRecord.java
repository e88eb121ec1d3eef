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
 */
public record EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
        Map<String, Double> hyperparameters) {

    /** Copies the map, keeping its order. */
    public EpochRecord {
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
    }

    /** An epoch with only a training loss. */
    public static EpochRecord loss(int epoch, double trainLoss) {
        return new EpochRecord(epoch, trainLoss, Double.NaN, Map.of());
    }
}
