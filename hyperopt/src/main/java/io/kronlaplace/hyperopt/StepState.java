package io.kronlaplace.hyperopt;

import io.kronlaplace.optim.OptimizerSnapshot;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything the mini-batch steps of an epoch read or change in an {@link OnlineMarglikTrainer}: the network's
 * parameters and buffers ({@link NetworkState}), the weight optimiser's state and the log hyperparameters (the
 * prior's weight decay and sigma). A replica restored from it takes exactly the steps the trainer it came from would
 * take.
 *
 * @param model               parameters and buffers by {@link NetworkState} name
 * @param optimizer           the weight optimiser's snapshot
 * @param logHyperparameters  log prior precisions, then log sigma when it is learned
 */
public record StepState(Map<String, INDArray> model, OptimizerSnapshot optimizer, double[] logHyperparameters) {
    /**
     * Validates and copies.
     *
     * @param model              parameters and buffers by {@link NetworkState} name, not null (the map is copied, the
     *                           arrays are not)
     * @param optimizer          the weight optimiser's snapshot, not null
     * @param logHyperparameters log prior precisions, then log sigma when it is learned (copied)
     * @throws NullPointerException when an argument is null
     */
    public StepState {
        model = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(model, "model")));
        Objects.requireNonNull(optimizer, "optimizer");
        logHyperparameters = logHyperparameters.clone();
    }

    /**
     * The log hyperparameters.
     *
     * @return a copy: log prior precisions, then log sigma when it is learned
     */
    @Override
    public double[] logHyperparameters() {
        return logHyperparameters.clone();
    }
}
