package io.kronlaplace.cuda;

import static io.kronlaplace.cuda.DenseReference.assertDecomposition;
import static io.kronlaplace.cuda.DenseReference.assertLowerUntouched;
import static io.kronlaplace.cuda.DenseReference.assertUpperClose;
import static io.kronlaplace.cuda.DenseReference.gaussian;
import static io.kronlaplace.cuda.DenseReference.gemm;
import static io.kronlaplace.cuda.DenseReference.gemmScale;
import static io.kronlaplace.cuda.DenseReference.randomSpd;
import static io.kronlaplace.cuda.DenseReference.toDouble;
import static io.kronlaplace.cuda.DenseReference.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ND4J-free CUDA core against plain-Java float64 references and EJML: SYRK in both forms into the upper triangle
 * (lower triangle untouched, beta kept), GEMM with every transpose combination, float64 eigendecompositions by
 * {@code syevd} and batched Jacobi, reuse of the growing device buffers, and argument checks. float32 results are held
 * to 1e-4 of the entry's absolute-product scale, float64 ones to 1e-12. Skipped where no CUDA device is usable.
 */
class CudaLinearAlgebraTest {
    private static final double FLOAT64_TOLERANCE = 1e-12;
    private static final double FLOAT32_TOLERANCE = 1e-4;

    private static CudaLinearAlgebra gpu;

    /** Per test, so that every skipped test reports the reason. */
    @BeforeEach
    void openOnce() {
        CudaDevice device = CudaDevice.detect();
        assumeTrue(device.available(), "no CUDA device: " + device.description());
        if (gpu == null) {
            gpu = CudaLinearAlgebra.open();
        }
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"5,7", "130,4", "64,300", "1,1"})
    void transposeProductUpdatesTheUpperTriangleInBothPrecisions(int m, int d) {
        double[] rows = gaussian(m * d, 31L * m + d);
        double[] start = gaussian(d * d, 7L * d);
        double[] expected = gemm(true, false, d, d, m, 1.0, rows, rows, 0.5, start);
        double[] scale = gemmScale(true, false, d, d, m, 1.0, rows, rows, 0.5, start);

        double[] target64 = start.clone();
        gpu.addTransposeProductUpper(rows, m, d, target64, 0.5);
        assertUpperClose(expected, scale, target64, d, FLOAT64_TOLERANCE);
        assertLowerUntouched(start, target64, d);

        float[] target32 = toFloat(start);
        gpu.addTransposeProductUpper(toFloat(rows), m, d, target32, 0.5);
        assertUpperClose(expected, scale, toDouble(target32), d, FLOAT32_TOLERANCE);
        assertLowerUntouched(toDouble(toFloat(start)), toDouble(target32), d);
    }

    @ParameterizedTest
    @CsvSource({"4,6", "9,1", "200,64"})
    void productOfAMatrixUpdatesTheUpperTriangleInBothPrecisions(int d, int r) {
        double[] matrix = gaussian(d * r, 13L * d + r);
        double[] start = gaussian(d * d, 3L * d);
        double[] expected = gemm(false, true, d, d, r, 1.0, matrix, matrix, 1.0, start);
        double[] scale = gemmScale(false, true, d, d, r, 1.0, matrix, matrix, 1.0, start);

        double[] target64 = start.clone();
        gpu.addProductOfUpper(matrix, d, r, target64, 1.0);
        assertUpperClose(expected, scale, target64, d, FLOAT64_TOLERANCE);
        assertLowerUntouched(start, target64, d);

        float[] target32 = toFloat(start);
        gpu.addProductOfUpper(toFloat(matrix), d, r, target32, 1.0);
        assertUpperClose(expected, scale, toDouble(target32), d, FLOAT32_TOLERANCE);
    }

    @ParameterizedTest
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void gemmMatchesTheReferenceForEveryTransposeInBothPrecisions(boolean transposeA, boolean transposeB) {
        int m = 7;
        int n = 5;
        int k = 130;
        double[] a = gaussian(m * k, 1);
        double[] b = gaussian(k * n, 2);
        double[] c = gaussian(m * n, 3);
        double[] expected = gemm(transposeA, transposeB, m, n, k, 0.7, a, b, -1.3, c);
        double[] scale = gemmScale(transposeA, transposeB, m, n, k, 0.7, a, b, -1.3, c);

        double[] c64 = c.clone();
        gpu.gemm(transposeA, transposeB, m, n, k, 0.7, a, b, -1.3, c64);
        assertAllClose(expected, scale, c64, FLOAT64_TOLERANCE);

        float[] c32 = toFloat(c);
        gpu.gemm(transposeA, transposeB, m, n, k, 0.7, toFloat(a), toFloat(b), -1.3, c32);
        assertAllClose(expected, scale, toDouble(c32), FLOAT32_TOLERANCE);
    }

    @Test
    void gemmWithZeroBetaOverwritesAnOutputHoldingNaN() {
        double[] a = {1, 2, 3, 4};
        double[] c = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        gpu.gemm(false, false, 2, 2, 2, 1.0, a, a, 0.0, c);
        assertArrayEquals(new double[] {7, 10, 15, 22}, c, 0.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 64, 300})
    void syevdGivesAFloat64DecompositionAndLeavesTheInputAlone(int n) {
        double[] a = randomSpd(n, 11 + n);
        double[] copy = a.clone();
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        gpu.decomposeSymmetric(a, n, values, vectors);
        assertArrayEquals(copy, a, 0.0, "the input must not be modified");
        assertDecomposition(a, n, values, vectors);
    }

    @Test
    void onlyTheLowerTriangleIsRead() {
        int n = 12;
        double[] a = randomSpd(n, 21);
        double[] upperChanged = a.clone();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                upperChanged[i * n + j] = 1000.0 + i - j;
            }
        }
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        gpu.decomposeSymmetric(upperChanged, n, values, vectors);
        assertDecomposition(a, n, values, vectors);
        double[] batchValues = new double[2 * n];
        double[] batchVectors = new double[2 * n * n];
        double[] twoCopies = new double[2 * n * n];
        System.arraycopy(upperChanged, 0, twoCopies, 0, n * n);
        System.arraycopy(upperChanged, 0, twoCopies, n * n, n * n);
        gpu.decomposeSymmetricBatch(twoCopies, n, 2, batchValues, batchVectors);
        for (int i = 0; i < 2; i++) {
            assertDecomposition(a, n, slice(batchValues, i * n, n), slice(batchVectors, i * n * n, n * n));
        }
    }

    @ParameterizedTest
    @CsvSource({"8,5", "32,3", "33,2", "40,3"})
    void batchedDecompositionsMatchTheReferenceInInputOrder(int n, int count) {
        double[] all = new double[count * n * n];
        for (int i = 0; i < count; i++) {
            System.arraycopy(randomSpd(n, 100L * n + i), 0, all, i * n * n, n * n);
        }
        double[] values = new double[count * n];
        double[] vectors = new double[count * n * n];
        gpu.decomposeSymmetricBatch(all, n, count, values, vectors);
        for (int i = 0; i < count; i++) {
            double[] single = slice(all, i * n * n, n * n);
            assertDecomposition(single, n, slice(values, i * n, n), slice(vectors, i * n * n, n * n));
        }
    }

    @Test
    void buffersThatGrewStillServeSmallerAndLargerCallsCorrectly() {
        for (int d : new int[] {300, 3, 301}) {
            double[] rows = gaussian(2 * d, d);
            double[] target = new double[d * d];
            gpu.addTransposeProductUpper(rows, 2, d, target, 0.0);
            double[] expected = gemm(true, false, d, d, 2, 1.0, rows, rows, 0.0, target);
            double[] scale = gemmScale(true, false, d, d, 2, 1.0, rows, rows, 0.0, target);
            assertUpperClose(expected, scale, target, d, FLOAT64_TOLERANCE);
        }
    }

    @Test
    void badArgumentsAreRejectedWithAMessage() {
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> gpu.addTransposeProductUpper(new double[5], 2, 3, new double[9], 1.0));
        assertEquals("rows must hold 6 values, got 5", length.getMessage());
        IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
                () -> gpu.gemm(false, false, 0, 1, 1, 1.0, new double[0], new double[1], 0.0, new double[0]));
        assertTrue(dims.getMessage().contains("positive"), dims.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> gpu.decomposeSymmetric(new double[4], 2, new double[1], new double[4]));
        CudaLinearAlgebra closed = CudaLinearAlgebra.open();
        closed.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> closed.addProductOfUpper(new double[1], 1, 1, new double[1], 0.0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> CudaLinearAlgebra.shared().close());
    }

    private static void assertAllClose(double[] expected, double[] scale, double[] actual, double tolerance) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * (scale[i] + Double.MIN_NORMAL), "entry " + i);
        }
    }

    private static double[] slice(double[] x, int from, int length) {
        double[] out = new double[length];
        System.arraycopy(x, from, out, 0, length);
        return out;
    }
}
