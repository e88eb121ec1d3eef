package io.kronlaplace.hyperopt;

import io.kronlaplace.laplace.CurvatureSums;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.SupervisedDataset;

/**
 * Runs the two expensive parts of {@link OnlineMarglikTrainer} elsewhere than in the trainer's JVM, e.g. on a cluster,
 * while the trainer keeps its loop, hyper-steps, best weights and checkpoints (see docs/spark.md, section
 * Data-parallel training).
 */
public interface DistributedTraining {
    /**
     * Runs the mini-batch steps of one epoch on replicas of the trainer (each restored from
     * {@link OnlineMarglikTrainer#stepState()} and running {@link OnlineMarglikTrainer#runSteps} with its
     * {@link ReplicaGroup}) and leaves the trainer in the replicas' final state
     * ({@link OnlineMarglikTrainer#restoreStepState}).
     *
     * @param trainer the trainer whose steps are run; left in the replicas' final state
     * @param epoch   the epoch, 1-based
     * @return what the replicas' steps report
     */
    EpochSteps steps(OnlineMarglikTrainer trainer, int epoch);

    /**
     * The curvature pass of a marginal-likelihood update: the raw K-FAC sums and fit statistics of {@code train} in
     * stored order, cut into batches of {@code batchSize} rows, at the network's current weights, with the Monte-Carlo
     * labels of batch k seeded by {@code KfacEstimator.batchSeed(labelSeed, k)}.
     *
     * @param network   the network at its current weights (those of the trainer)
     * @param options   KRON options of the update's posterior
     * @param train     the training set, whose rows are taken in stored order
     * @param batchSize rows per curvature batch, &gt;= 1 (the last batch may be smaller)
     * @param labelSeed seed of the Monte-Carlo labels, combined with the batch index
     * @return the summed K-FAC factors and fit statistics of the whole training set
     */
    CurvatureSums curvature(Network network, LaplaceOptions options, SupervisedDataset<?> train, int batchSize,
                            long labelSeed);
}
