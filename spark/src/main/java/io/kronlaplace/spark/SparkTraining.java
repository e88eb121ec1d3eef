package io.kronlaplace.spark;

import io.kronlaplace.hyperopt.DistributedTraining;
import io.kronlaplace.hyperopt.EpochSteps;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.CurvatureSums;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.nd4j.linalg.api.buffer.DataType;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Data-parallel online marginal-likelihood training on a Spark cluster, as the {@link DistributedTraining} of an
 * {@link OnlineMarglikTrainer} (see docs/spark.md, section Data-parallel training):
 * <ul>
 *   <li>the mini-batch steps of each epoch run as one barrier stage of R tasks (R replicas, started together): each
 *       task rebuilds the network, restores the trainer's {@link io.kronlaplace.hyperopt.StepState} and runs
 *       {@link OnlineMarglikTrainer#runSteps} with its {@link BarrierReplicas}, computing its share of every global
 *       mini-batch and averaging the gradients with {@code allGather}; replica 0's final state comes back to the
 *       driver's trainer;</li>
 *   <li>the curvature pass of each marginal-likelihood update is a {@link SparkCurvature} pass; the hyper-steps, the
 *       best weights and the checkpoints stay in the driver's trainer.</li>
 * </ul>
 * The training set is broadcast once; {@link #close()} frees it.
 */
public final class SparkTraining implements DistributedTraining, AutoCloseable {
    private final JavaSparkContext spark;
    private final int replicas;
    private final NetworkFactory factory;
    private final ImageDataset train;
    private final OnlineMarglikOptions options;
    private final Broadcast<ShippedImages> shippedTrain;

    /**
     * @param spark    the Spark context; it must offer at least {@code replicas} task slots at once (a barrier stage
     *                 starts all its tasks together), e.g. {@code local[R]}
     * @param replicas data-parallel replicas R >= 1 (and partitions of the curvature pass)
     * @param factory  builds the trained architecture on the executors
     * @param train    the training set
     * @param options  the training options
     * @throws IllegalArgumentException for fewer than one replica or more than the master's default parallelism (its
     *                                  task slots), an empty training set or learned augmentation
     */
    public SparkTraining(JavaSparkContext spark, int replicas, NetworkFactory factory, ImageDataset train,
                         OnlineMarglikOptions options) {
        this.spark = Objects.requireNonNull(spark, "spark");
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, got " + replicas);
        }
        if (replicas > spark.defaultParallelism()) {
            throw new IllegalArgumentException(replicas + " data-parallel replicas need as many task slots at once, "
                    + "but the Spark master offers " + spark.defaultParallelism());
        }
        this.replicas = replicas;
        this.factory = Objects.requireNonNull(factory, "factory");
        this.train = Objects.requireNonNull(train, "train");
        this.options = Objects.requireNonNull(options, "options");
        if (train.size() == 0) {
            throw new IllegalArgumentException("training set '" + train.name() + "' is empty");
        }
        if (options.learnsAugmentation()) {
            throw new IllegalArgumentException("distributed training does not learn augmentation (augmentation "
                    + "samples S = " + options.augmentationSamples() + "); use S <= 1");
        }
        this.shippedTrain = spark.broadcast(ShippedImages.of(train));
    }

    /**
     * The trainer of {@code network} on this training set with these options, running its steps and curvature passes
     * here.
     *
     * @param network built by this object's factory (the driver's copy, trained in place)
     * @return a trainer whose curvature passes run on the cluster
     */
    public OnlineMarglikTrainer trainer(Network network) {
        return new OnlineMarglikTrainer(network, train, options, this);
    }

    @Override
    public EpochSteps steps(OnlineMarglikTrainer trainer, int epoch) {
        Broadcast<ShippedStepState> state = spark.broadcast(ShippedStepState.of(trainer.stepState()));
        try {
            ReplicaTask task = new ReplicaTask(factory, train.images().dataType().name(), options, shippedTrain,
                    state, epoch);
            List<Integer> ranks = IntStream.range(0, replicas).boxed().toList();
            RDD<ReplicaResult> stage = spark.parallelize(ranks, replicas).rdd().barrier()
                    .mapPartitions(task, false, classTag());
            // the shuffle makes the barrier stage a map stage, which Spark reruns as a whole when a task fails (a
            // failed barrier result stage is not retried); a rerun restarts every replica from the broadcast state
            List<ReplicaResult> results = SparkJobs.run(() -> stage.toJavaRDD().repartition(1).collect());
            ReplicaResult first = results.get(0);
            trainer.restoreStepState(first.state().toState());
            return first.steps();
        } finally {
            state.destroy();
        }
    }

    @Override
    public CurvatureSums curvature(Network network, LaplaceOptions laplace, SupervisedDataset<?> data, int batchSize,
                                   long labelSeed) {
        List<Batch> batches = new ArrayList<>();
        for (int from = 0; from < data.size(); from += batchSize) {
            int[] idx = IntStream.range(from, Math.min(data.size(), from + batchSize)).toArray();
            SupervisedDataset<?> rows = data.subset(idx);
            batches.add(new Batch(rows.inputs(), rows.targets()));
        }
        return new SparkCurvature(spark, replicas).sums(factory, network, laplace, batches, labelSeed);
    }

    /** Frees the broadcast training set on the executors. */
    @Override
    public void close() {
        shippedTrain.destroy();
    }

    @SuppressWarnings("unchecked")
    private static ClassTag<ReplicaResult> classTag() {
        return (ClassTag<ReplicaResult>) (ClassTag<?>) ClassTag$.MODULE$.apply(ReplicaResult.class);
    }

    /** What replica 0 sends back: its state after the epoch's steps and what the steps reported. */
    private record ReplicaResult(ShippedStepState state, EpochSteps steps) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** One barrier task: a replica of the trainer taking the epoch's steps together with the other tasks. */
    private record ReplicaTask(NetworkFactory factory, String dataType, OnlineMarglikOptions options,
                               Broadcast<ShippedImages> train, Broadcast<ShippedStepState> state, int epoch)
            implements Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<ReplicaResult>>,
            Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<ReplicaResult> apply(scala.collection.Iterator<Integer> ignored) {
            BarrierTaskContext context = BarrierTaskContext.get();
            Network network = factory.build();
            network.castTo(DataType.valueOf(dataType));
            OnlineMarglikTrainer replica = new OnlineMarglikTrainer(network, train.value().toDataset(), options);
            replica.restoreStepState(state.value().toState());
            try (BarrierReplicas group = new BarrierReplicas(context)) {
                EpochSteps steps = replica.runSteps(epoch, group, TrainingListener.NONE);
                List<ReplicaResult> out = group.rank() == 0
                        ? List.of(new ReplicaResult(ShippedStepState.of(replica.stepState()), steps))
                        : Collections.emptyList();
                return CollectionConverters.asScala(out.iterator());
            }
        }
    }
}
