package io.kronlaplace.spark;

import io.kronlaplace.hyperopt.StepState;
import io.kronlaplace.optim.OptimizerSnapshot;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainer's {@link StepState} as plain Java values, for shipping between driver and executors; rebuilt with the
 * same names, order, types and bit-identical values.
 *
 * @param model              parameters and buffers by name, in network order
 * @param optimizerSteps     the weight optimiser's step count
 * @param optimizerBuffers   the weight optimiser's buffers, in order
 * @param logHyperparameters the log hyperparameters
 */
record ShippedStepState(LinkedHashMap<String, ShippedArray> model, long optimizerSteps,
                        List<ShippedArray> optimizerBuffers, double[] logHyperparameters) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    static ShippedStepState of(StepState state) {
        LinkedHashMap<String, ShippedArray> model = new LinkedHashMap<>();
        state.model().forEach((name, value) -> model.put(name, ShippedArray.of(value)));
        List<ShippedArray> buffers = new ArrayList<>();
        state.optimizer().buffers().forEach(b -> buffers.add(ShippedArray.of(b)));
        return new ShippedStepState(model, state.optimizer().steps(), buffers, state.logHyperparameters());
    }

    StepState toState() {
        Map<String, INDArray> values = new LinkedHashMap<>();
        model.forEach((name, value) -> values.put(name, value.toArray()));
        List<INDArray> buffers = new ArrayList<>();
        optimizerBuffers.forEach(b -> buffers.add(b.toArray()));
        return new StepState(values, new OptimizerSnapshot(optimizerSteps, buffers), logHyperparameters);
    }
}
