package io.kronlaplace.hyperopt;

import io.kronlaplace.optim.Adam;
import io.kronlaplace.optim.ConstantSchedule;
import io.kronlaplace.optim.CosineSchedule;
import io.kronlaplace.optim.LearningRateSchedule;
import io.kronlaplace.optim.Optimizer;
import io.kronlaplace.optim.Sgd;
import io.kronlaplace.optim.StepSchedule;

/** Builds the optimisers of online training from its options. */
public final class Optimizers {
    private Optimizers() {
    }

    /**
     * The optimiser of the network weights: {@link OptimizerKind} with the options' learning rate, momentum (SGD) and
     * {@link ScheduleKind} over the whole run (the step schedule decays by 0.2 after 30% of the steps).
     *
     * @param options    the training options: optimiser, learning rate, momentum and schedule
     * @param totalSteps optimiser steps of the whole run, &gt;= 1 (the length of the cosine and step schedules)
     * @return a new optimiser with no state yet
     * @throws IllegalArgumentException when the total steps are below 1
     */
    public static Optimizer forWeights(OnlineMarglikOptions options, long totalSteps) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
        }
        LearningRateSchedule schedule = switch (options.schedule()) {
            case COSINE -> new CosineSchedule(options.learningRate(), totalSteps);
            case STEP -> new StepSchedule(options.learningRate(), Math.max(1, Math.round(0.3 * totalSteps)), 0.2);
            case CONSTANT -> new ConstantSchedule(options.learningRate());
        };
        return switch (options.optimizer()) {
            case SGD -> Sgd.builder().schedule(schedule).momentum(options.momentum()).build();
            case ADAM -> Adam.builder().schedule(schedule).build();
        };
    }

    /**
     * Adam at a constant learning rate, for hyperparameters in log space or augmentation parameters.
     *
     * @param learningRate the constant step size, &gt; 0
     * @return a new Adam with no state yet
     * @throws IllegalArgumentException when the learning rate is not positive and finite
     */
    public static Adam forHyperparameters(double learningRate) {
        return Adam.builder().learningRate(learningRate).build();
    }
}
