package io.kronlaplace.hyperopt.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class AffineAugmentationTest {
    private static final int N = 2;
    private static final int S = 3;
    private static final int C = 2;
    private static final int H = 5;
    private static final int W = 7;
    private static final double[] ETA = {0.3, -0.2, 0.5, 0.2, -0.15, 0.25};
    private static final long NOISE_SEED = 42;

    private static INDArray randomImages(int n, int c, int h, int w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return Nd4j.create(v, new long[] {n, c, h, w}, 'c');
    }

    /** T = expm(sum_k eps_k eta_k G_k), built from the generator matrices (expm is checked in MatrixExponentialTest). */
    private static double[] transform(double[] eta, AugmentationNoise noise, int row) {
        double[] m = new double[9];
        for (AffineGenerator g : AffineGenerator.values()) {
            double[] gm = g.matrix();
            for (int i = 0; i < 9; i++) {
                m[i] += noise.epsilon(row, g.ordinal()) * eta[g.ordinal()] * gm[i];
            }
        }
        return MatrixExponential.expm(m, 3);
    }

    /** Sampling position in input pixel units of output pixel (i, j): normalised grid, T applied, mapped back. */
    private static double[] position(double[] t, int i, int j, int h, int w) {
        double x = (2.0 * j + 1) / w - 1;
        double y = (2.0 * i + 1) / h - 1;
        double px = t[0] * x + t[1] * y + t[2];
        double py = t[3] * x + t[4] * y + t[5];
        return new double[] {((px + 1) * w - 1) / 2, ((py + 1) * h - 1) / 2};
    }

    /** Brute-force bilinear resampling with a tent kernel over all input pixels (zero outside). */
    private static INDArray reference(INDArray images, double[] eta, AugmentationNoise noise) {
        int n = (int) images.size(0);
        int c = (int) images.size(1);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        int s = noise.samples();
        INDArray out = Nd4j.zeros(DataType.DOUBLE, (long) n * s, c, h, w);
        for (int r = 0; r < n * s; r++) {
            double[] t = transform(eta, noise, r);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double[] p = position(t, i, j, h, w);
                    for (int ch = 0; ch < c; ch++) {
                        double v = 0;
                        for (int yy = 0; yy < h; yy++) {
                            for (int xx = 0; xx < w; xx++) {
                                double k = Math.max(0, 1 - Math.abs(p[0] - xx)) * Math.max(0, 1 - Math.abs(p[1] - yy));
                                v += k * images.getDouble(r / s, ch, yy, xx);
                            }
                        }
                        out.putScalar(new long[] {r, ch, i, j}, v);
                    }
                }
            }
        }
        return out;
    }

    /** Smallest distance of any sampling coordinate to an integer: finite differences need it well above h. */
    private static double distanceToKinks(double[] eta, AugmentationNoise noise, int h, int w) {
        double min = Double.POSITIVE_INFINITY;
        for (int r = 0; r < noise.rows(); r++) {
            double[] t = transform(eta, noise, r);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    for (double v : position(t, i, j, h, w)) {
                        min = Math.min(min, Math.abs(v - Math.rint(v)));
                    }
                }
            }
        }
        return min;
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        return actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }

    private static double[] shifted(double[] eta, int k, double delta) {
        double[] e = eta.clone();
        e[k] += delta;
        return e;
    }

    private static double dot(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue();
    }

    @Test
    void identityReturnsTheInputExactlyWithCopiesConsecutive() {
        INDArray x = randomImages(3, 2, 4, 6, 1);
        AugmentationNoise noise = AugmentationNoise.draw(3, 4, 5);
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray xt = x.castTo(type);
            INDArray out = AffineAugmentation.identity().apply(xt, noise);
            assertEquals(type, out.dataType());
            assertArrayEquals(new long[] {12, 2, 4, 6}, out.shape());
            for (int n = 0; n < 3; n++) {
                for (int s = 0; s < 4; s++) {
                    assertEquals(xt.slice(n), out.slice(n * 4L + s), "row " + (n * 4 + s) + " must be image " + n);
                }
            }
        }
    }

    @Test
    void xShiftOfTwoOverWidthMovesTheImageByOnePixel() {
        int w = 8;
        INDArray x = randomImages(1, 2, 3, w, 2);
        double[] eps = new double[6];
        eps[AffineGenerator.X_SHIFT.ordinal()] = 1.0;
        AffineAugmentation aug = new AffineAugmentation(2.0 / w, 0, 0, 0, 0, 0);
        INDArray out = aug.apply(x, AugmentationNoise.of(1, 1, eps));
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < w; j++) {
                    double expected = j + 1 < w ? x.getDouble(0, c, i, j + 1) : 0.0;
                    assertEquals(expected, out.getDouble(0, c, i, j), 0.0, "pixel " + c + "," + i + "," + j);
                }
            }
        }
    }

    @Test
    void negativeYShiftMovesTheImageDownByOnePixel() {
        int h = 4;
        INDArray x = randomImages(1, 1, h, 3, 3);
        double[] eps = new double[6];
        eps[AffineGenerator.Y_SHIFT.ordinal()] = -1.0;
        INDArray out = new AffineAugmentation(0, 2.0 / h, 0, 0, 0, 0).apply(x, AugmentationNoise.of(1, 1, eps));
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < 3; j++) {
                double expected = i > 0 ? x.getDouble(0, 0, i - 1, j) : 0.0;
                assertEquals(expected, out.getDouble(0, 0, i, j), 0.0);
            }
        }
    }

    @Test
    void quarterTurnPermutesPixels() {
        int size = 5;
        INDArray x = randomImages(1, 1, size, size, 4);
        double[] eps = new double[6];
        eps[AffineGenerator.ROTATION.ordinal()] = 1.0;
        INDArray out = new AffineAugmentation(0, 0, Math.PI / 2, 0, 0, 0).apply(x, AugmentationNoise.of(1, 1, eps));
        // T = [[0, -1], [1, 0]] samples (x, y) at (-y, x): output (i, j) reads input row j, column size-1-i
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                assertEquals(x.getDouble(0, 0, j, size - 1 - i), out.getDouble(0, 0, i, j), 1e-12);
            }
        }
    }

    @Test
    void matchesBruteForceReferenceOnNonSquareImages() {
        INDArray x = randomImages(N, C, H, W, 6);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED);
        INDArray out = new AffineAugmentation(ETA).apply(x, noise);
        assertTrue(relativeError(out, reference(x, ETA, noise)) < 1e-12);
    }

    @Test
    void viewsAndFortranOrderedBatchesGiveTheSameResult() {
        INDArray x = randomImages(4, C, H, W, 19);
        AugmentationNoise noise = AugmentationNoise.draw(2, S, NOISE_SEED);
        AffineAugmentation aug = new AffineAugmentation(ETA);
        INDArray view = x.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray expected = aug.apply(view.dup('c'), noise);
        assertEquals(expected, aug.apply(view, noise));
        assertEquals(expected, aug.apply(view.dup('f'), noise));
        INDArray v = randomImages(2 * S, C, H, W, 20);
        assertArrayEquals(aug.vjp(view.dup('c'), noise, v, false).eta(), aug.vjp(view, noise, v.dup('f'), false).eta());
    }

    @Test
    void float32MatchesFloat64() {
        INDArray x = randomImages(N, C, H, W, 7);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED);
        AffineAugmentation aug = new AffineAugmentation(ETA);
        INDArray single = aug.apply(x.castTo(DataType.FLOAT), noise);
        assertEquals(DataType.FLOAT, single.dataType());
        assertTrue(relativeError(single.castTo(DataType.DOUBLE), aug.apply(x, noise)) < 1e-6);
        INDArray v = randomImages(N * S, C, H, W, 21);
        AugmentationGradient g32 = aug.vjp(x.castTo(DataType.FLOAT), noise, v.castTo(DataType.FLOAT), true);
        AugmentationGradient g64 = aug.vjp(x, noise, v, true);
        assertEquals(DataType.FLOAT, g32.images().dataType());
        assertTrue(relativeError(g32.images().castTo(DataType.DOUBLE), g64.images()) < 1e-6);
        assertTrue(relativeError(Nd4j.createFromArray(g32.eta()), Nd4j.createFromArray(g64.eta())) < 1e-5);
        INDArray[] t32 = aug.jvpAll(x.castTo(DataType.FLOAT), noise);
        assertEquals(DataType.FLOAT, t32[0].dataType());
        assertTrue(relativeError(t32[2].castTo(DataType.DOUBLE), aug.jvpAll(x, noise)[2]) < 1e-6);
    }

    @Test
    void vjpMatchesCentralFiniteDifferencesInEta() {
        INDArray x = randomImages(N, C, H, W, 8);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED);
        assertTrue(distanceToKinks(ETA, noise, H, W) > 1e-4, "test setup: sample points too close to pixel grid");
        INDArray v = randomImages(N * S, C, H, W, 9);
        AugmentationGradient grad = new AffineAugmentation(ETA).vjp(x, noise, v, false);
        assertNull(grad.images());
        double h = 1e-6;
        double[] fd = new double[6];
        for (int k = 0; k < 6; k++) {
            double plus = dot(v, new AffineAugmentation(shifted(ETA, k, h)).apply(x, noise));
            double minus = dot(v, new AffineAugmentation(shifted(ETA, k, -h)).apply(x, noise));
            fd[k] = (plus - minus) / (2 * h);
        }
        INDArray expected = Nd4j.createFromArray(fd);
        assertTrue(relativeError(Nd4j.createFromArray(grad.eta()), expected) < 1e-6,
                "analytic " + java.util.Arrays.toString(grad.eta()) + " fd " + java.util.Arrays.toString(fd));
        assertEquals(grad.eta()[AffineGenerator.SHEAR.ordinal()], grad.eta(AffineGenerator.SHEAR));
    }

    @Test
    void jvpMatchesCentralFiniteDifferencesInEta() {
        INDArray x = randomImages(N, C, H, W, 10);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED);
        assertTrue(distanceToKinks(ETA, noise, H, W) > 1e-4, "test setup: sample points too close to pixel grid");
        INDArray[] tangents = new AffineAugmentation(ETA).jvpAll(x, noise);
        double h = 1e-6;
        for (int k = 0; k < 6; k++) {
            INDArray fd = new AffineAugmentation(shifted(ETA, k, h)).apply(x, noise)
                    .sub(new AffineAugmentation(shifted(ETA, k, -h)).apply(x, noise)).div(2 * h);
            double err = relativeError(tangents[k], fd);
            assertTrue(err < 1e-6, "generator " + AffineGenerator.values()[k] + " relative error " + err);
        }
    }

    @Test
    void directionalJvpIsTheCombinationOfPerGeneratorJvps() {
        INDArray x = randomImages(N, C, H, W, 11);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED);
        AffineAugmentation aug = new AffineAugmentation(ETA);
        double[] u = {0.4, -1.1, 0.7, 0.2, 0.9, -0.3};
        INDArray[] all = aug.jvpAll(x, noise);
        INDArray combined = all[0].mul(u[0]);
        for (int k = 1; k < 6; k++) {
            combined.addi(all[k].mul(u[k]));
        }
        assertTrue(relativeError(aug.jvp(x, noise, u), combined) < 1e-12);
    }

    @Test
    void vjpAndJvpAreAdjoint() {
        INDArray x = randomImages(N, C, H, W, 12);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED + 1);
        AffineAugmentation aug = new AffineAugmentation(ETA);
        INDArray v = randomImages(N * S, C, H, W, 13);
        double[] u = {0.4, -1.1, 0.7, 0.2, 0.9, -0.3};
        double lhs = dot(v, aug.jvp(x, noise, u));
        double[] g = aug.vjp(x, noise, v, false).eta();
        double rhs = 0;
        for (int k = 0; k < 6; k++) {
            rhs += g[k] * u[k];
        }
        assertEquals(lhs, rhs, 1e-10 * Math.abs(lhs));
    }

    @Test
    void imageGradientIsTheAdjointOfResampling() {
        INDArray x = randomImages(N, C, H, W, 14);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, NOISE_SEED);
        AffineAugmentation aug = new AffineAugmentation(ETA);
        INDArray v = randomImages(N * S, C, H, W, 15);
        INDArray gx = aug.vjp(x, noise, v, true).images();
        assertArrayEquals(x.shape(), gx.shape());
        // the output is linear in the images, so <v, A x> = <A^T v, x>
        double lhs = dot(v, aug.apply(x, noise));
        assertEquals(lhs, dot(gx, x), 1e-12 * Math.abs(lhs));
    }

    @Test
    void flippingTheSignsOfEtaAndNoiseGivesTheSameTransforms() {
        INDArray x = randomImages(1, 1, H, W, 16);
        AugmentationNoise noise = AugmentationNoise.draw(1, 2, 3);
        double[] eps = new double[12];
        for (int r = 0; r < 2; r++) {
            for (int k = 0; k < 6; k++) {
                eps[r * 6 + k] = -noise.epsilon(r, k);
            }
        }
        double[] negated = java.util.Arrays.stream(ETA).map(e -> -e).toArray();
        AffineAugmentation aug = new AffineAugmentation(negated);
        assertArrayEquals(java.util.Arrays.stream(ETA).map(Math::abs).toArray(), aug.magnitudes());
        assertEquals(new AffineAugmentation(ETA).apply(x, noise), aug.apply(x, AugmentationNoise.of(1, 2, eps)));
    }

    @Test
    void noiseIsSeededUniformAndReusable() {
        AugmentationNoise a = AugmentationNoise.draw(4, 3, 99);
        AugmentationNoise b = AugmentationNoise.draw(4, 3, 99);
        AugmentationNoise c = AugmentationNoise.draw(4, 3, 100);
        boolean differs = false;
        double min = 1;
        double max = -1;
        for (int r = 0; r < a.rows(); r++) {
            for (int k = 0; k < 6; k++) {
                assertEquals(a.epsilon(r, k), b.epsilon(r, k));
                differs |= a.epsilon(r, k) != c.epsilon(r, k);
                min = Math.min(min, a.epsilon(r, k));
                max = Math.max(max, a.epsilon(r, k));
            }
        }
        assertTrue(differs);
        assertTrue(min >= -1 && max <= 1 && min < -0.5 && max > 0.5, "range [" + min + ", " + max + "]");
        INDArray x = randomImages(4, 1, 3, 3, 17);
        AffineAugmentation aug = new AffineAugmentation(ETA);
        assertEquals(aug.apply(x, a), aug.apply(x, a));
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        AffineAugmentation aug = new AffineAugmentation(ETA);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, 1);
        INDArray x = randomImages(N, C, H, W, 18);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> aug.apply(randomImages(N + 1, C, H, W, 1), noise));
        assertTrue(e.getMessage().contains("noise was drawn for 2 examples"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> aug.apply(Nd4j.zeros(DataType.DOUBLE, N, H, W), noise));
        INDArray nan = x.dup();
        nan.putScalar(new long[] {0, 0, 1, 1}, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> aug.apply(nan, noise));
        assertThrows(IllegalArgumentException.class,
                () -> aug.vjp(x, noise, Nd4j.zeros(DataType.DOUBLE, N, C, H, W), false));
        assertThrows(IllegalArgumentException.class, () -> new AffineAugmentation(1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> aug.setEta(0, 0, Double.NaN, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> aug.jvp(x, noise, new double[5]));
        assertThrows(IllegalArgumentException.class, () -> AugmentationNoise.of(1, 1, new double[] {2, 0, 0, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> AugmentationNoise.draw(0, 1, 1));
    }
}
