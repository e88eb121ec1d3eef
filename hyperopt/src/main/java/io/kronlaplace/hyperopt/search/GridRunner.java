package io.kronlaplace.hyperopt.search;

import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.validation.data.ImageDataset;
import java.util.List;

/**
 * Runs the grid points of a search: in this JVM one after the other, or elsewhere (e.g. one cluster task per grid
 * point). Every runner returns the results of {@link GridSearch#runOne} in grid order and reports each finished point
 * through {@link GridSearch#report}.
 */
@FunctionalInterface
public interface GridRunner {
    /** Runs every grid point in this JVM, one after the other. */
    GridRunner SEQUENTIAL = (search, grid, train, validation) -> search.run(grid, train, validation,
            TrainingListener.NONE);

    /** Trains and scores every grid point; results in grid order. */
    List<SearchResult> run(GridSearch search, List<SearchConfig> grid, ImageDataset train, ImageDataset validation);
}
