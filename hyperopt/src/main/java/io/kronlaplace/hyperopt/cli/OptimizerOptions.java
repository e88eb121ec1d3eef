package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.checkpoint.DataFormat;
import picocli.CommandLine.Option;

/**
 * The {@code --optimizer} and {@code --lr} options of the commands that train networks ({@code train}, {@code search}).
 * Without them a command uses its data's default optimiser with that optimiser's default rate: 0.1 for SGD with
 * momentum, 0.003 for Adam, the rates the demo and the CIFAR-10 schedule were measured with.
 */
public final class OptimizerOptions {
    /** Learning rate of SGD with momentum when {@code --lr} is not given. */
    static final double DEFAULT_SGD_RATE = 0.1;
    /** Learning rate of Adam when {@code --lr} is not given. */
    static final double DEFAULT_ADAM_RATE = 0.003;

    @Option(names = "--optimizer", paramLabel = "OPT", description = "SGD (momentum 0.9) or ADAM (default: ADAM "
            + "on synthetic images and files, SGD on CIFAR-10 and graphs).")
    OptimizerKind optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: " + DEFAULT_SGD_RATE
            + " with SGD, " + DEFAULT_ADAM_RATE + " with ADAM).")
    Double learningRate;

    /**
     * The optimiser an image classifier trains with when {@code --optimizer} is not given: SGD with momentum on
     * CIFAR-10 (the schedule of the paper's Wide ResNets), Adam on synthetic images and files.
     *
     * @param format the training data's format
     * @return the default optimiser for that data
     */
    static OptimizerKind defaultForImages(DataFormat format) {
        return format == DataFormat.CIFAR ? OptimizerKind.SGD : OptimizerKind.ADAM;
    }

    /**
     * Sets the optimiser and its learning rate on a builder.
     *
     * @param builder          the training options being built
     * @param defaultOptimizer the optimiser when {@code --optimizer} is not given
     * @return the builder
     * @throws IllegalArgumentException when {@code --lr} is not a positive finite number
     */
    public OnlineMarglikOptions.Builder applyTo(OnlineMarglikOptions.Builder builder, OptimizerKind defaultOptimizer) {
        OptimizerKind chosen = optimizer != null ? optimizer : defaultOptimizer;
        if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + learningRate);
        }
        double rate = learningRate != null ? learningRate
                : chosen == OptimizerKind.SGD ? DEFAULT_SGD_RATE : DEFAULT_ADAM_RATE;
        return builder.optimizer(chosen).learningRate(rate);
    }
}
