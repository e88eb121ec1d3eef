package io.kronlaplace.spark;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.search.GridSearch;
import io.kronlaplace.hyperopt.search.SearchConfig;
import io.kronlaplace.hyperopt.search.SearchResult;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ImageDataset;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A {@link GridSearch} on a Spark cluster, one task per grid point: the training and validation sets are broadcast
 * once, each task trains and scores its grid point with {@link GridSearch#runOne} (a fresh network from the base
 * seed, as in the sequential search), and the results come back in grid order, so ranking and the written table and
 * JSON ({@code SearchReport}) are those of the sequential search (see docs/spark.md, section Distributed search).
 */
public final class SparkGridSearch {
    private final JavaSparkContext spark;

    /** @param spark the Spark context */
    public SparkGridSearch(JavaSparkContext spark) {
        this.spark = Objects.requireNonNull(spark, "spark");
    }

    /**
     * Trains and scores every grid point, one Spark task each; results in grid order, and each finished point
     * reported to the search's status once all are back.
     *
     * @param search     the single-machine search whose training and scoring each task runs
     * @param grid       the grid points, at least one
     * @param train      the training set
     * @param validation the validation set that scores each point
     * @return one result per grid point, in grid order
     * @throws IllegalArgumentException for an empty grid or a search of another network than a Wide ResNet, and with the single-machine message for bad options or data
     */
    public List<SearchResult> run(GridSearch search, List<SearchConfig> grid, ImageDataset train,
                                  ImageDataset validation) {
        Objects.requireNonNull(search, "search");
        Objects.requireNonNull(grid, "grid");
        if (grid.isEmpty()) {
            throw new IllegalArgumentException("every grid axis needs at least one value");
        }
        if (search.kind() != ModelKind.WRN) {
            throw new IllegalArgumentException("distributed search trains Wide ResNets; search " + search.kind()
                    + " models with 'kronlaplace search' on one machine");
        }
        int depth = search.depth();
        WideResNet.Variant variant = search.variant();
        OnlineMarglikOptions base = search.base();
        Broadcast<ShippedImages> shippedTrain = spark.broadcast(ShippedImages.of(train));
        Broadcast<ShippedImages> shippedValidation = spark.broadcast(ShippedImages.of(validation));
        try {
            List<SearchResult> results = SparkJobs.run(() -> spark.parallelize(List.copyOf(grid), grid.size())
                    .map(config -> new GridSearch(depth, variant, base, line -> { }).runOne(config,
                            shippedTrain.value().toDataset(), shippedValidation.value().toDataset(),
                            TrainingListener.NONE))
                    .collect());
            results.forEach(search::report);
            return results;
        } finally {
            shippedTrain.destroy();
            shippedValidation.destroy();
        }
    }
}
