package io.kronlaplace.hyperopt.augment;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded float64 test arrays, reproducible from the seed alone. */
final class TestArrays {
    private TestArrays() {
    }

    /**
     * A C-order float64 array of {@code shape} with entries drawn uniformly from [-1, 1) by a generator seeded with
     * {@code seed}.
     */
    static INDArray random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.create(v, shape, 'c');
    }
}
