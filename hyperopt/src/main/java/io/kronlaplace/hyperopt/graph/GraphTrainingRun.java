package io.kronlaplace.hyperopt.graph;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.likelihood.BinaryCrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.optim.Adam;
import io.kronlaplace.optim.CosineSchedule;
import io.kronlaplace.optim.KfacOptimizer;
import io.kronlaplace.optim.LearningRateSchedule;
import io.kronlaplace.optim.WarmupSchedule;
import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.metrics.AveragePrecision;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One optimiser run on a graph data set with the mean binary cross-entropy: mini-batches in a seeded order, epoch after
 * epoch, the validation average precision every {@code evalEvery} steps, until the target is reached, the step budget
 * or the time budget is spent. Training seconds exclude the evaluations.
 */
final class GraphTrainingRun {
    /** The optimisers compared. */
    enum Method {
        KFAC_EXPAND,
        KFAC_REDUCE,
        ADAM
    }

    /**
     * The run's settings shared by all methods; the K-FAC ones (momentum, curvature type, factor and inverse update
     * intervals, running-average decay) are ignored by Adam.
     */
    record Settings(int batch, int maxSteps, double maxSeconds, int evalEvery, double target, int warmup,
                    double momentum, CurvatureType curvature, int factorInterval, int inverseInterval,
                    double factorDecay, long seed) {
    }

    /**
     * @param damping         K-FAC damping (NaN for Adam)
     * @param stepsToTarget   optimiser steps until the validation AP first reached the target, -1 if never
     * @param secondsToTarget training seconds until then (NaN if never)
     * @param bestAp          the best validation AP seen
     * @param steps           steps done
     * @param seconds         training seconds spent
     * @param network         the trained network
     */
    record Result(Method method, double learningRate, double damping, int stepsToTarget, double secondsToTarget,
                  double bestAp, int steps, double seconds, Network network) {
        boolean reached() {
            return stepsToTarget >= 0;
        }
    }

    private GraphTrainingRun() {
    }

    /** @param damping K-FAC damping (ignored by Adam) */
    static Result run(Method method, double learningRate, double damping, Supplier<Network> model,
                      GraphDataset train, GraphDataset validation, Settings s) {
        Network net = model.get();
        BinaryCrossEntropy bce = new BinaryCrossEntropy();
        LearningRateSchedule schedule = new WarmupSchedule(s.warmup(), new CosineSchedule(learningRate,
                learningRate * 0.01, Math.max(1, s.maxSteps() - s.warmup())));
        KfacOptimizer kfac = method == Method.ADAM ? null : KfacOptimizer.builder(net, bce).schedule(schedule)
                .damping(damping).momentum(s.momentum()).factorUpdateInterval(s.factorInterval())
                .inverseUpdateInterval(s.inverseInterval()).factorDecay(s.factorDecay())
                .kfacOptions(KfacOptions.builder()
                        .flavour(method == Method.KFAC_EXPAND ? KfacFlavour.EXPAND : KfacFlavour.REDUCE)
                        .curvatureType(s.curvature()).seed(s.seed()).build())
                .build();
        Adam adam = method == Method.ADAM ? Adam.builder().schedule(schedule).build() : null;
        double seconds = 0;
        int stepsToTarget = -1;
        double secondsToTarget = Double.NaN;
        double best = 0;
        int step = 0;
        int epoch = 0;
        Iterator<GraphDataset> batches = train.batches(s.batch(), s.seed() + epoch, true).iterator();
        while (step < s.maxSteps() && seconds < s.maxSeconds()) {
            if (!batches.hasNext()) {
                epoch++;
                batches = train.batches(s.batch(), s.seed() + epoch, true).iterator();
            }
            GraphDataset b = batches.next();
            INDArray x = b.inputs();
            INDArray y = b.targets();
            long t0 = System.nanoTime();
            net.zeroGrad();
            INDArray out = net.forward(x, Mode.TRAIN);
            net.backward(bce.gradient(out, y, Reduction.MEAN), BackwardContext.training());
            if (kfac != null) {
                kfac.step(x, y);
            } else {
                adam.step(net);
            }
            seconds += (System.nanoTime() - t0) / 1e9;
            step++;
            if (step % s.evalEvery() == 0 || step == s.maxSteps()) {
                double ap = averagePrecision(net, validation, s.batch());
                best = Math.max(best, ap);
                if (ap >= s.target() && stepsToTarget < 0) {
                    stepsToTarget = step;
                    secondsToTarget = seconds;
                    break;
                }
            }
        }
        return new Result(method, learningRate, method == Method.ADAM ? Double.NaN : damping, stepsToTarget,
                secondsToTarget, best, step, seconds, net);
    }

    /** Validation AP (OGB's mean over tasks) of the network's logits. */
    static double averagePrecision(Network net, GraphDataset data, int batch) {
        List<INDArray> outputs = new ArrayList<>();
        for (GraphDataset b : data.batchesInOrder(batch)) {
            outputs.add(net.forward(b.inputs(), Mode.EVAL).dup());
        }
        INDArray logits = Nd4j.concat(0, outputs.toArray(INDArray[]::new));
        return AveragePrecision.meanOverTasks(logits, data.targets());
    }
}
