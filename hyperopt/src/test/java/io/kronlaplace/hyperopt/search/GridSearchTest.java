package io.kronlaplace.hyperopt.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class GridSearchTest {
    @Test
    void gridIsTheCartesianProductWidthOutermost() {
        List<SearchConfig> grid = GridSearch.grid(List.of(1, 2), List.of(0.1, 1.0, 10.0), List.of(1, 5));
        assertEquals(12, grid.size());
        assertEquals(new SearchConfig(1, 0.1, 1), grid.get(0));
        assertEquals(new SearchConfig(1, 0.1, 5), grid.get(1));
        assertEquals(new SearchConfig(2, 10.0, 5), grid.get(11));
    }

    @Test
    void rankingsOrderByMarglikDescendingAndNllAscending() {
        SearchResult a = new SearchResult(new SearchConfig(1, 1, 1), -50, 0.9, 0.7, 10, 1);
        SearchResult b = new SearchResult(new SearchConfig(2, 1, 1), -20, 1.1, 0.6, 20, 1);
        SearchResult c = new SearchResult(new SearchConfig(4, 1, 1), Double.NaN, 0.5, 0.8, 40, 1);
        assertEquals(List.of(b, a, c), GridSearch.byMarglik(List.of(a, b, c)));
        assertEquals(List.of(c, a, b), GridSearch.byValidationNll(List.of(a, b, c)));
    }

    @Test
    void emptyAxisAndInvalidPointsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GridSearch.grid(List.of(), List.of(1.0), List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> new SearchConfig(1, -1.0, 1));
    }
}
