package io.kronlaplace.spark;

import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.CurvatureSums;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.nn.Network;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The curvature pass of a K-FAC Laplace fit on a Spark cluster: the batches are cut into contiguous ranges, one per
 * partition; every task rebuilds the network from the broadcast weights and accumulates the raw factor sums and fit
 * statistics of its range ({@link CurvatureSums#of}, MC labels seeded by each batch's global index); the partial
 * sums are added in a tree ({@code treeReduce}) and the driver normalises them once and builds the posterior. The
 * posterior equals {@link LaplacePosterior#fit} over the same batches up to the order of float64 additions, for any
 * number of partitions (see docs/spark.md, section Exactness). Prior tuning then runs on the driver as usual, e.g.
 * with {@code MarginalLikelihoodTuner}.
 */
public final class SparkCurvature {
    private final JavaSparkContext spark;
    private final int partitions;

    /**
     * @param spark      the Spark context
     * @param partitions number of partitions of the batches (>= 1; more partitions than batches leave some empty)
     */
    public SparkCurvature(JavaSparkContext spark, int partitions) {
        this.spark = Objects.requireNonNull(spark, "spark");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.partitions = partitions;
    }

    /**
     * The summed curvature of all batches at the network's current weights.
     *
     * @param factory builds the network's architecture on the executors
     * @param network the network at the MAP weights (its weights are broadcast)
     * @param options KRON options, as for {@link LaplacePosterior#fit}
     * @param batches the batches in pass order, at least one
     * @return the curvature sums over all batches, reduced on the driver
     * @throws IllegalArgumentException with the single-machine message for options that are not KRON, no batches,
     *                                  bad shapes, NaN inputs or invalid targets
     */
    public CurvatureSums sums(NetworkFactory factory, Network network, LaplaceOptions options, List<Batch> batches) {
        return sums(factory, network, options, batches, 0);
    }

    /**
     * As {@link #sums(NetworkFactory, Network, LaplaceOptions, List)}, with the Monte-Carlo labels of batch k seeded
     * by {@code KfacEstimator.batchSeed(labelSeed, k)} (see {@link CurvatureSums#of(Network, LaplaceOptions, List,
     * long, long)}).
     *
     * @param factory   builds the network's architecture on the executors
     * @param network   the network at the MAP weights (its weights are broadcast)
     * @param options   KRON options, as for {@link LaplacePosterior#fit}
     * @param batches   the batches in pass order, at least one
     * @param labelSeed seed of the Monte-Carlo labels (unused by the exact GGN)
     * @return the curvature sums over all batches, reduced on the driver
     * @throws IllegalArgumentException as {@link #sums(NetworkFactory, Network, LaplaceOptions, List)}
     */
    public CurvatureSums sums(NetworkFactory factory, Network network, LaplaceOptions options, List<Batch> batches,
                              long labelSeed) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(batches, "batches");
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("fit needs at least one mini-batch");
        }
        KronLaplace.requireKron(options);
        List<IndexedBatch> numbered = IndexedBatch.number(batches);
        BroadcastNetwork shipped = new BroadcastNetwork(spark, factory, network);
        try {
            return SparkJobs.run(() -> spark.parallelize(numbered, partitions)
                    .mapPartitions((Iterator<IndexedBatch> part) -> partialSums(shipped, options, labelSeed, part))
                    .treeReduce(CurvatureSums::plus));
        } finally {
            shipped.destroy();
        }
    }

    /**
     * The fitted posterior at the options' initial hyperparameters: {@link #sums} normalised on the driver.
     *
     * @param factory builds the network's architecture on the executors
     * @param network the network at the MAP weights (its weights are broadcast)
     * @param options KRON options, as for {@link LaplacePosterior#fit}
     * @param batches the batches in pass order, at least one
     * @return the fitted KRON posterior
     * @throws IllegalArgumentException as {@link #sums}
     */
    public KronLaplace fit(NetworkFactory factory, Network network, LaplaceOptions options, List<Batch> batches) {
        return sums(factory, network, options, batches).posterior(network, options);
    }

    /** One task: the sums of a contiguous range of batches (none for an empty partition). */
    private static Iterator<CurvatureSums> partialSums(BroadcastNetwork shipped, LaplaceOptions options,
                                                       long labelSeed, Iterator<IndexedBatch> part) {
        if (!part.hasNext()) {
            return Collections.emptyIterator();
        }
        List<Batch> batches = new ArrayList<>();
        IndexedBatch first = part.next();
        batches.add(first.toBatch());
        long expected = first.index() + 1;
        while (part.hasNext()) {
            IndexedBatch next = part.next();
            if (next.index() != expected++) {
                throw new IllegalStateException("partition holds batch " + next.index() + " after batch "
                        + (expected - 2) + ": the batches of a partition must be consecutive");
            }
            batches.add(next.toBatch());
        }
        Network network = shipped.rebuild();
        return List.of(CurvatureSums.of(network, options, batches, first.index(), labelSeed)).iterator();
    }
}
