package io.kronlaplace.spark;

import io.kronlaplace.hyperopt.MethodProbabilities;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PosteriorFile;
import io.kronlaplace.laplace.PosteriorFormatException;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.report.EvaluationReport;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The uncertainty evaluation of {@link ModelEvaluation} on a Spark cluster: the curvature pass runs as
 * {@link SparkCurvature}; the fitted posterior is broadcast once in the posterior file format, and every evaluation
 * set is cut into the single-machine path's batches, numbered by their first row, one contiguous range of batches
 * per partition. A task rebuilds the network and the posterior and runs {@link ModelEvaluation#predictBatch} on each
 * batch with the single-machine seed ({@code seed + from}), so the probabilities, and therefore every metric of the
 * report, equal the single-machine evaluation (see docs/spark.md, section Distributed evaluation).
 */
public final class SparkEvaluation {
    private final JavaSparkContext spark;
    private final int partitions;

    /**
     * @param spark      the Spark context
     * @param partitions number of partitions of the training batches and of each evaluation set's batches (>= 1)
     */
    public SparkEvaluation(JavaSparkContext spark, int partitions) {
        this.spark = Objects.requireNonNull(spark, "spark");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.partitions = partitions;
    }

    /**
     * Fits the posterior on {@code train} with a distributed curvature pass and adds the results of every method on
     * every set to {@code report}, as {@link ModelEvaluation#evaluate} does in one JVM.
     *
     * @param evaluation the evaluation's settings and network (MAP weights)
     * @param factory    builds the network's architecture on the executors
     * @param train      the training set of the curvature pass
     * @param test       the clean test set
     * @param shifts     the shifted copies of the test set
     * @param ood        the out-of-distribution set
     * @param report     receives the results of every method on every set
     * @return the fitted posterior
     * @throws IllegalArgumentException when the evaluation asks for a link other than PROBIT and MC
     */
    public LaplacePosterior evaluate(ModelEvaluation evaluation, NetworkFactory factory, ImageDataset train,
                                     ImageDataset test, List<ShiftedDataset> shifts, ImageDataset ood,
                                     EvaluationReport.Builder report) {
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(factory, "factory");
        ModelEvaluation.PredictorFactory predictors = predictors(evaluation, factory);
        LaplacePosterior posterior = new SparkCurvature(spark, partitions).fit(factory, evaluation.network(),
                evaluation.options(), evaluation.trainingBatches(train));
        evaluation.report(posterior, test, shifts, ood, report, predictors);
        return posterior;
    }

    /**
     * Predicts evaluation sets on the cluster: the posterior is serialised once; for each set the network's weights
     * and the posterior are broadcast, the set's batches predicted in partitions and collected in row order, and the
     * broadcasts freed again.
     *
     * @param evaluation the evaluation's settings (batch size, MC samples and seed) and network (MAP weights)
     * @param factory    builds the network's architecture on the executors
     * @return the predictors of every method, each predicting on the cluster
     * @throws IllegalArgumentException when the evaluation asks for a link other than PROBIT and MC
     */
    public ModelEvaluation.PredictorFactory predictors(ModelEvaluation evaluation, NetworkFactory factory) {
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(factory, "factory");
        if (!ModelEvaluation.DEFAULT_LINKS.containsAll(evaluation.links())) {
            throw new IllegalArgumentException("the Spark evaluation predicts the PROBIT and MC links only, got "
                    + evaluation.links() + "; evaluate in one process for the bridge links");
        }
        return posterior -> {
            byte[] posteriorBytes = PosteriorFile.toBytes(posterior);
            return data -> {
                BroadcastNetwork network = new BroadcastNetwork(spark, factory, evaluation.network());
                Broadcast<byte[]> shipped = spark.broadcast(posteriorBytes);
                try {
                    return predict(evaluation, network, shipped, data);
                } finally {
                    network.destroy();
                    shipped.destroy();
                }
            };
        };
    }

    /** The probabilities of one set: its batches predicted in partitions, collected in row order. */
    private MethodProbabilities predict(ModelEvaluation evaluation, BroadcastNetwork network,
                                        Broadcast<byte[]> posterior, ImageDataset data) {
        int batchSize = evaluation.batchSize();
        List<RowBatch> batches = new ArrayList<>();
        for (int from = 0; from < data.size(); from += batchSize) {
            ImageDataset rows = ModelEvaluation.rows(data, from, Math.min(data.size(), from + batchSize));
            batches.add(new RowBatch(from, ShippedArray.of(rows.images())));
        }
        int mcSamples = evaluation.mcSamples();
        long seed = evaluation.seed();
        List<BatchProbabilities> predicted = SparkJobs.run(() -> spark.parallelize(batches, partitions)
                .mapPartitions((Iterator<RowBatch> part) -> predictPartition(network, posterior, mcSamples, seed,
                        part))
                .collect());
        List<MethodProbabilities> parts = new ArrayList<>(predicted.size());
        for (BatchProbabilities p : predicted) {
            parts.add(p.toProbabilities());
        }
        return MethodProbabilities.stack(parts);
    }

    /** One task: rebuilds network and posterior once, then predicts each batch with its single-machine seed. */
    private static Iterator<BatchProbabilities> predictPartition(BroadcastNetwork shipped, Broadcast<byte[]> posterior,
                                                                 int mcSamples, long seed, Iterator<RowBatch> part)
            throws PosteriorFormatException {
        List<BatchProbabilities> out = new ArrayList<>();
        if (!part.hasNext()) {
            return out.iterator();
        }
        Network network = shipped.rebuild();
        GlmPredictive glm = new GlmPredictive(PosteriorFile.fromBytes(posterior.value(), network,
                "the broadcast posterior"));
        while (part.hasNext()) {
            RowBatch batch = part.next();
            MethodProbabilities p = ModelEvaluation.predictBatch(network, glm, batch.images().toArray(),
                    ModelEvaluation.DEFAULT_LINKS, mcSamples, seed + batch.from());
            out.add(new BatchProbabilities(ShippedArray.of(p.map()), ShippedArray.of(p.probit()),
                    ShippedArray.of(p.monteCarlo())));
        }
        return out.iterator();
    }

    /** The images of one evaluation batch and its first row. */
    private record RowBatch(int from, ShippedArray images) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** The three methods' probabilities of one batch, shipped back to the driver. */
    private record BatchProbabilities(ShippedArray map, ShippedArray probit, ShippedArray monteCarlo)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        MethodProbabilities toProbabilities() {
            return new MethodProbabilities(map.toArray(), probit.toArray(), monteCarlo.toArray());
        }
    }
}
