package io.kronlaplace.hyperopt.experiments;

/**
 * One training run of the optimiser comparison.
 *
 * @param method          the optimiser
 * @param learningRate    its base learning rate (after the warm-up)
 * @param stepsToTarget   optimiser steps until the validation accuracy first reached the target, or -1
 * @param secondsToTarget training wall time (evaluations excluded) until then, or NaN
 * @param bestAccuracy    the best validation accuracy seen
 * @param steps           steps run in total
 * @param seconds         training wall time in total
 * @param diverged        whether the run stopped because the network's outputs became NaN or infinite
 */
public record RaceResult(OptimizerRace.Method method, double learningRate, long stepsToTarget, double secondsToTarget,
                         double bestAccuracy, long steps, double seconds, boolean diverged) {
    /**
     * Whether the run reached the target.
     *
     * @return true when the validation accuracy reached the target at some step
     */
    public boolean reached() {
        return stepsToTarget >= 0;
    }
}
