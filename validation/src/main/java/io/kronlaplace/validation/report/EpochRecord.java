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
 * @param testAccuracy          accuracy of the network (point estimate) on the test set after the epoch, NaN when not
 *                              evaluated
 * @param testNll               its mean negative log-likelihood on the test set (nats), NaN when not evaluated
 */
public record EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
        Map<String, Double> hyperparameters, Map<String, Double> metrics, double testAccuracy, double testNll) {

    /**
     * Copies the maps, keeping their order.
     *
     * @param epoch                 epoch number (1-based by convention)
     * @param trainLoss             mean training loss of the epoch
     * @param logMarginalLikelihood log marginal likelihood estimate, NaN when not computed in this epoch
     * @param hyperparameters       hyperparameter values by name, in display order
     * @param metrics               other per-epoch measurements by name, in display order
     * @param testAccuracy          test accuracy of the network after the epoch, in [0, 1], NaN when not evaluated
     * @param testNll               mean test negative log-likelihood (nats), NaN when not evaluated
     */
    public EpochRecord {
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * An epoch without other measurements or test metrics.
     *
     * @param epoch                 epoch number (1-based by convention)
     * @param trainLoss             mean training loss of the epoch
     * @param logMarginalLikelihood log marginal likelihood estimate, NaN when not computed in this epoch
     * @param hyperparameters       hyperparameter values by name, in display order
     */
    public EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
            Map<String, Double> hyperparameters) {
        this(epoch, trainLoss, logMarginalLikelihood, hyperparameters, Map.of(), Double.NaN, Double.NaN);
    }

    /**
     * An epoch with other measurements but no test metrics.
     *
     * @param epoch                 epoch number (1-based by convention)
     * @param trainLoss             mean training loss of the epoch
     * @param logMarginalLikelihood log marginal likelihood estimate, NaN when not computed in this epoch
     * @param hyperparameters       hyperparameter values by name, in display order
     * @param metrics               other per-epoch measurements by name, in display order
     */
    public EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
            Map<String, Double> hyperparameters, Map<String, Double> metrics) {
        this(epoch, trainLoss, logMarginalLikelihood, hyperparameters, metrics, Double.NaN, Double.NaN);
    }

    /**
     * An epoch with test metrics but no other measurements.
     *
     * @param epoch                 epoch number (1-based by convention)
     * @param trainLoss             mean training loss of the epoch
     * @param logMarginalLikelihood log marginal likelihood estimate, NaN when not computed in this epoch
     * @param hyperparameters       hyperparameter values by name, in display order
     * @param testAccuracy          test accuracy of the point estimate after the epoch, NaN when not evaluated
     * @param testNll               its test NLL (nats), NaN when not evaluated
     */
    public EpochRecord(int epoch, double trainLoss, double logMarginalLikelihood,
            Map<String, Double> hyperparameters, double testAccuracy, double testNll) {
        this(epoch, trainLoss, logMarginalLikelihood, hyperparameters, Map.of(), testAccuracy, testNll);
    }

    /**
     * An epoch with only a training loss.
     *
     * @param epoch     epoch number (1-based by convention)
     * @param trainLoss mean training loss of the epoch
     * @return a record with NaN marginal likelihood and test metrics and no hyperparameters
     */
    public static EpochRecord loss(int epoch, double trainLoss) {
        return new EpochRecord(epoch, trainLoss, Double.NaN, Map.of());
    }
}
