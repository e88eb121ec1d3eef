package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast eigenvalue sums against plain loops over every eigenvalue, across the series cut-off. */
class SpectralSumsTest {

    @Test
    void kroneckerSumsEqualDirectLoopsOverWideSpectra() {
        SplittableRandom r = new SplittableRandom(3);
        double[] outer = new double[17];
        double[] inner = new double[301];
        for (int i = 0; i < outer.length; i++) {
            outer[i] = Math.pow(10, -8 + 11 * r.nextDouble());
        }
        for (int j = 0; j < inner.length; j++) {
            inner[j] = j % 29 == 0 ? 0.0 : Math.pow(10, -12 + 14 * r.nextDouble());
        }
        SpectralSums sums = new SpectralSums(outer, inner);
        for (double s : new double[] {0.3, 1.0, 50.0}) {
            for (double d : new double[] {1e-4, 0.7, 1e3}) {
                double log = 0;
                double inv = 0;
                for (double o : outer) {
                    for (double i : inner) {
                        log += Math.log(s * o * i + d);
                        inv += 1 / (s * o * i + d);
                    }
                }
                double[] out = new double[2];
                sums.sums(s, d, out);
                assertEquals(log, out[0], 1e-12 * Math.abs(log) + 1e-12, "log sum at s=" + s + ", d=" + d);
                assertEquals(inv, out[1], 1e-12 * inv, "inverse sum at s=" + s + ", d=" + d);
            }
        }
    }
}
