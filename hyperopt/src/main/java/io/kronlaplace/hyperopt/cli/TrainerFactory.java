package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;

/**
 * Creates the trainer of {@code train}: one training in this JVM, or one whose steps and curvature passes run
 * elsewhere (e.g. data-parallel on a cluster, through {@link io.kronlaplace.hyperopt.DistributedTraining}).
 */
@FunctionalInterface
public interface TrainerFactory {
    /** Trains in this JVM. */
    TrainerFactory IN_PROCESS = (architecture, network, train, options) ->
            new OnlineMarglikTrainer(network, train, options);

    /**
     * The trainer of {@code network}.
     *
     * @param architecture what {@code network} is (to rebuild it elsewhere)
     * @param network      the network, trained in place
     * @param train        the normalised training images
     * @param options      the training options
     * @return a trainer that has not trained yet
     */
    OnlineMarglikTrainer create(ModelArchitecture architecture, Network network, ImageDataset train,
                                OnlineMarglikOptions options);
}
