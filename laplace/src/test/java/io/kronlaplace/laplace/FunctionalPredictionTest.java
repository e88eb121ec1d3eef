package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The variances of a functional prediction are the diagonals of its covariances, read entry by entry. */
class FunctionalPredictionTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void varianceIsTheDiagonalOfEachCovariance(int c) {
        int n = 4;
        INDArray cov = Fixtures.gaussian(3 + c, n, c, c);
        INDArray v = new FunctionalPrediction(Fixtures.gaussian(1, n, c), cov).variance();
        assertArrayEquals(new long[] {n, c}, v.shape());
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                assertEquals(cov.getDouble(i, k, k), v.getDouble(i, k), 0.0);
            }
        }
    }
}
