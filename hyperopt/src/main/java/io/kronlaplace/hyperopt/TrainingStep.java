package io.kronlaplace.hyperopt;

import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.hyperopt.augment.InvariantModel;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.validation.data.SupervisedDataset;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The data part of one training step: forward pass (of the invariant model when S &gt; 1), mean negative
 * log-likelihood and its gradient back-propagated into the parameters' gradients, inside a reusable memory arena.
 */
final class TrainingStep {
    /** Id of the {@link StepWorkspace} the steps run in. */
    static final String WORKSPACE = "online-marglik-train";

    /**
     * The loss of a step and, for classification, how many of its examples the model got right.
     *
     * @param loss    mean negative log-likelihood of the batch
     * @param correct correctly classified examples (0 for regression)
     */
    record Outcome(double loss, long correct) {
    }

    private final Network network;
    private final AffineAugmentation augmentation;

    /**
     * @param augmentation the augmentation of the invariant model, or null without one
     */
    TrainingStep(Network network, AffineAugmentation augmentation) {
        this.network = network;
        this.augmentation = augmentation;
    }

    /**
     * Accumulates the gradient of the batch's mean loss, times {@code weight}, into the parameters.
     *
     * @param noise  the batch's augmentation noise (null without augmentation)
     * @param weight the factor of the gradient: 1 for a whole mini-batch, a replica's share rows / global rows for
     *               its part of a data-parallel mini-batch
     * @return the batch's mean loss (not weighted)
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    Outcome run(SupervisedDataset<?> batch, AugmentationNoise noise, Likelihood likelihood, boolean countCorrect,
                double weight) {
        int s = noise == null ? 1 : noise.samples();
        try (StepWorkspace ignored = StepWorkspace.open(WORKSPACE)) {
            INDArray targets = batch.targets();
            INDArray f = s > 1
                    ? InvariantModel.average(network.forward(augmentation.apply(batch.inputs(), noise), Mode.TRAIN), s)
                    : network.forward(batch.inputs(), Mode.TRAIN);
            double loss = likelihood.loss(f, targets, Reduction.MEAN);
            INDArray grad = likelihood.gradient(f, targets, Reduction.MEAN);
            if (weight != 1.0) {
                grad.muli(weight);
            }
            network.backward(s > 1 ? InvariantModel.spread(grad, s, 1) : grad, BackwardContext.training());
            return new Outcome(loss, countCorrect ? correct(f, targets) : 0);
        }
    }

    private static long correct(INDArray f, INDArray labels) {
        long[] predicted = f.argMax(1).toLongVector();
        long[] y = labels.toLongVector();
        long c = 0;
        for (int i = 0; i < y.length; i++) {
            if (predicted[i] == y[i]) {
                c++;
            }
        }
        return c;
    }
}
