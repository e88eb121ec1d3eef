package io.kronlaplace.validation.data;

import java.util.SplittableRandom;

/** Standard normal draws from a {@link SplittableRandom} (which has no nextGaussian on Java 17). */
final class Gaussian {
    private Gaussian() {
    }

    /** One N(0, 1) draw by the Box-Muller transform. */
    static double sample(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
