package io.kronlaplace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.search.GridSearch;
import io.kronlaplace.hyperopt.search.SearchConfig;
import io.kronlaplace.hyperopt.search.SearchReport;
import io.kronlaplace.hyperopt.search.SearchResult;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The grid search on Spark (one task per grid point, two at a time on {@code local[2]}) gives the sequential search's
 * results bit for bit (all but the wall-clock seconds), in grid order, ranked the same way, and the same table.
 */
class SparkGridSearchTest {
    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = SparkContexts.create("local[2,2]", "SparkGridSearchTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static ImageDataset images(String name, long seed, int count) {
        Nd4j.getRandom().setSeed(seed);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (int) ((seed + i) % 3);
        }
        return new ImageDataset(name, Nd4j.rand(DataType.FLOAT, count, 3, 8, 8), labels, 3);
    }

    static GridSearch search(List<String> status) {
        OnlineMarglikOptions base = OnlineMarglikOptions.builder().epochs(2).batchSize(8).burnIn(0).hypersteps(2)
                .curvatureBatchSize(8).seed(5).build();
        return new GridSearch(10, WideResNet.Variant.FIXUP, base, status::add);
    }

    /** A result without its wall-clock time, the only field that may differ between runs. */
    private static SearchResult timeless(SearchResult r) {
        return new SearchResult(r.config(), r.logMarglik(), r.validationNll(), r.validationAccuracy(), r.parameters(),
                0);
    }

    private static List<SearchResult> timeless(List<SearchResult> results) {
        return results.stream().map(SparkGridSearchTest::timeless).toList();
    }

    @Test
    void distributedSearchEqualsTheSequentialSearch() {
        ImageDataset train = images("train", 1, 16);
        ImageDataset validation = images("validation", 2, 8);
        List<SearchConfig> grid = GridSearch.grid(List.of(1), List.of(0.1, 10.0), List.of(1, 2));
        List<String> sequentialStatus = new ArrayList<>();
        List<SearchResult> sequential = timeless(search(sequentialStatus).run(grid, train, validation,
                TrainingListener.NONE));
        List<String> distributedStatus = new ArrayList<>();
        List<SearchResult> distributed = timeless(new SparkGridSearch(spark).run(search(distributedStatus), grid,
                train, validation));

        assertEquals(sequential, distributed);
        assertEquals(GridSearch.byMarglik(sequential), GridSearch.byMarglik(distributed));
        assertEquals(GridSearch.byValidationNll(sequential), GridSearch.byValidationNll(distributed));
        assertEquals(SearchReport.markdown(sequential), SearchReport.markdown(distributed));
        assertEquals(sequentialStatus, distributedStatus);
    }

    @Test
    void badInputGivesTheSequentialErrors() {
        ImageDataset train = images("train", 3, 8);
        assertThrows(IllegalArgumentException.class,
                () -> new SparkGridSearch(spark).run(search(new ArrayList<>()), List.of(), train, train));
    }
}
