package io.kronlaplace.optim;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bookkeeping of an {@link Optimizer} that keeps a fixed number of buffers per array: checking each step's
 * arrays, the learning rate of the step, the step count, snapshots. Subclasses give only the update rule.
 */
abstract class BufferedOptimizer implements Optimizer {
    private final LearningRateSchedule schedule;
    private final OptimizerState state;
    private long steps;

    BufferedOptimizer(LearningRateSchedule schedule, int buffersPerArray) {
        this.schedule = schedule;
        this.state = new OptimizerState(buffersPerArray);
    }

    @Override
    public final void step(List<INDArray> parameters, List<INDArray> gradients) {
        List<INDArray[]> buffers = state.prepare(parameters, gradients);
        double lr = LearningRateSchedule.requirePositiveRate(schedule.rate(steps), "learning rate at step " + steps);
        update(parameters, gradients, buffers, lr);
        steps++;
    }

    /**
     * Updates each {@code parameters.get(i)} in place from {@code gradients.get(i)} (checked: matching, finite) and
     * its buffers {@code buffers.get(i)} (zeros at the first step), at learning rate {@code lr}; {@link #steps()} is
     * still the number of earlier steps.
     */
    abstract void update(List<INDArray> parameters, List<INDArray> gradients, List<INDArray[]> buffers, double lr);

    @Override
    public final OptimizerSnapshot snapshot() {
        return new OptimizerSnapshot(steps, state.export());
    }

    @Override
    public final void restore(OptimizerSnapshot snapshot) {
        state.restore(snapshot.buffers());
        steps = snapshot.steps();
    }

    @Override
    public final long steps() {
        return steps;
    }

    @Override
    public final double learningRate() {
        return schedule.rate(steps);
    }
}
