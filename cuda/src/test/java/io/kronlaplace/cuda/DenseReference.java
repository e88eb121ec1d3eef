package io.kronlaplace.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Plain-Java float64 references for the CUDA core on row-major arrays, and EJML checks of eigendecompositions: no ND4J
 * and no native BLAS, so that they run on a machine that has only a Java runtime and the CUDA libraries.
 */
final class DenseReference {
    /** Largest relative residual ||A V - V diag(w)|| / ||A|| and orthogonality error of a float64 decomposition. */
    static final double EIGEN_TOLERANCE = 1e-10;

    private DenseReference() {
    }

    /** Gaussian values, reproducible from the seed. */
    static double[] gaussian(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            // Box-Muller on two uniforms
            double u = 1.0 - random.nextDouble();
            x[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        }
        return x;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** X X^T + I for a Gaussian n x n X, row-major: symmetric positive definite, eigenvalues at least 1. */
    static double[] randomSpd(int n, long seed) {
        double[] x = gaussian(n * n, seed);
        double[] spd = gemm(false, true, n, n, n, 1.0, x, x, 0.0, new double[n * n]);
        for (int i = 0; i < n; i++) {
            spd[i * n + i] += 1.0;
        }
        return spd;
    }

    /**
     * Row-major {@code alpha op(a) op(b) + beta c} as a new array; also the reference of SYRK, whose products are
     * {@code rows^T rows} and {@code M M^T}.
     */
    static double[] gemm(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha, double[] a,
                         double[] b, double beta, double[] c) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int l = 0; l < k; l++) {
                    sum += (transposeA ? a[l * m + i] : a[i * k + l]) * (transposeB ? b[j * k + l] : b[l * n + j]);
                }
                out[i * n + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * n + j]);
            }
        }
        return out;
    }

    /** The same product on absolute values: the scale that bounds the rounding error of each entry. */
    static double[] gemmScale(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha, double[] a,
                              double[] b, double beta, double[] c) {
        return gemm(transposeA, transposeB, m, n, k, Math.abs(alpha), abs(a), abs(b), Math.abs(beta), abs(c));
    }

    private static double[] abs(double[] x) {
        return Arrays.stream(x).map(Math::abs).toArray();
    }

    /** Asserts {@code |actual - expected| <= tolerance * scale} entry by entry on the upper triangle (i <= j). */
    static void assertUpperClose(double[] expected, double[] scale, double[] actual, int d, double tolerance) {
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                int at = i * d + j;
                assertEquals(expected[at], actual[at], tolerance * (scale[at] + Double.MIN_NORMAL),
                        "(" + i + ", " + j + ")");
            }
        }
    }

    /** Asserts that the strict lower triangle (i > j) of a d x d matrix is bit for bit as before. */
    static void assertLowerUntouched(double[] before, double[] actual, int d) {
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(before[i * d + j], actual[i * d + j], 0.0, "lower triangle (" + i + ", " + j + ")");
            }
        }
    }

    /**
     * Asserts a float64 eigendecomposition of a row-major symmetric n x n matrix: relative residual and orthogonality
     * below {@link #EIGEN_TOLERANCE}, ascending values equal to EJML's.
     *
     * @param vectors eigenvectors in the columns of a row-major n x n matrix
     */
    static void assertDecomposition(double[] symmetric, int n, double[] values, double[] vectors) {
        DMatrixRMaj a = new DMatrixRMaj(n, n, true, symmetric);
        DMatrixRMaj v = new DMatrixRMaj(n, n, true, vectors);
        DMatrixRMaj vw = v.copy();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                vw.set(i, j, v.get(i, j) * values[j]);
            }
        }
        double residual = NormOps_DDRM.normF(CommonOps_DDRM.subtract(CommonOps_DDRM.mult(a, v, null), vw, null))
                / NormOps_DDRM.normF(a);
        assertTrue(residual < EIGEN_TOLERANCE, "n=" + n + " residual " + residual);
        double orthogonality = NormOps_DDRM.normF(CommonOps_DDRM.subtract(CommonOps_DDRM.multTransA(v, v, null),
                CommonOps_DDRM.identity(n), null));
        assertTrue(orthogonality < EIGEN_TOLERANCE, "n=" + n + " orthogonality error " + orthogonality);
        double[] reference = eigenvalues(symmetric, n);
        double scale = Math.abs(reference[0]) + Math.abs(reference[n - 1]);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                assertTrue(values[i - 1] <= values[i], "eigenvalues must ascend");
            }
            assertEquals(reference[i], values[i], 1e-10 * scale, "eigenvalue " + i + " of " + n);
        }
    }

    /** Ascending eigenvalues by EJML's pure-Java symmetric solver. */
    static double[] eigenvalues(double[] symmetric, int n) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        assertTrue(eig.decompose(new DMatrixRMaj(n, n, true, symmetric.clone())), "EJML reference failed");
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(values);
        return values;
    }
}
