package io.kronlaplace.hyperopt.search;

import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.validation.data.SupervisedDataset;
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

    /**
     * Trains and scores every grid point.
     *
     * @param search     the search whose networks and scores each point uses
     * @param grid       the grid points
     * @param train      the standardised training set (images, or regression rows for an MLP search)
     * @param validation the standardised validation set of the same kind
     * @return the results in grid order
     * @throws IllegalArgumentException when this runner cannot run the search's networks or data
     */
    List<SearchResult> run(GridSearch search, List<SearchConfig> grid, SupervisedDataset<?> train,
                           SupervisedDataset<?> validation);
}
