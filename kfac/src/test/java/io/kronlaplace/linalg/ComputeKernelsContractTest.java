package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contract every {@link ComputeKernels} implementation meets, checked against plain-Java and EJML float64
 * references: SYRK into the upper triangle (lower triangle untouched, beta kept) and its mirror, GEMM with alpha, beta
 * and transposes into a preallocated output that stays where it is, and float64 symmetric eigendecompositions (residual
 * ||A V - V diag(w)|| / ||A||, orthogonality, ascending values equal to EJML's) at n = 5, 64 and 256, the last one
 * above the n >= 200 size at which OpenBLAS 0.3.19 returned wrong eigenvectors on AVX-512 CPUs. float32 operands are
 * held to float32 tolerances. A backend's test class extends this one and implements {@link #create()}; its tests are
 * skipped where the backend reports itself unavailable.
 */
public abstract class ComputeKernelsContractTest {
    private static final double FLOAT64_TOLERANCE = 1e-12;
    private static final double FLOAT32_TOLERANCE = 1e-4;
    private static final double EIGEN_TOLERANCE = 1e-10;

    /** The kernels under test, as the backend's provider creates them. */
    protected ComputeKernels kernels;

    /** A fresh instance of the implementation under test. */
    protected abstract ComputeKernels create();

    @BeforeEach
    void createKernels() {
        kernels = create();
        assumeTrue(kernels.isAvailable(), kernels.name() + " kernels are not available here");
    }

    @Test
    void nameIsALowerCaseDeviceNameUnderWhichTheProviderIsRegistered() {
        String name = kernels.name();
        assertFalse(name.isBlank());
        assertEquals(name.trim().toLowerCase(Locale.ROOT), name);
        KernelSelection selection = ComputeDevices.select(name);
        assertEquals(kernels.getClass(), selection.kernels().getClass(),
                "META-INF/services must register " + kernels.getClass().getName());
        assertTrue(selection.fallbackReason().isEmpty(), selection.fallbackReason().orElse(""));
    }

    // ---------------------------------------------------------------- symmetric rank-k updates

    @ParameterizedTest
    @CsvSource({"DOUBLE,5,7", "DOUBLE,9,3", "FLOAT,6,11", "FLOAT,130,4"})
    void transposeProductMatchesTheReferenceOnTheUpperTriangleAndKeepsBeta(DataType type, int rows, int d) {
        Nd4j.getRandom().setSeed(rows * 31L + d);
        INDArray m = Nd4j.randn(type, rows, d);
        INDArray start = Nd4j.randn(DataType.DOUBLE, d, d).castTo(type);
        INDArray target = start.dup('c');
        long address = target.data().address();
        kernels.addTransposeProductUpper(m, target, 0.5);
        double[][] x = m.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] s = start.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] expected = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int r = 0; r < rows; r++) {
                    sum += x[r][i] * x[r][j];
                }
                expected[i][j] = 0.5 * s[i][j] + sum;
            }
        }
        assertEquals(address, target.data().address(), "the target must be updated in place");
        assertUpperEquals(expected, target, tolerance(type));
        assertLowerUntouched(s, target);
    }

    @ParameterizedTest
    @CsvSource({"DOUBLE, 0.0", "DOUBLE, 0.5", "FLOAT, 0.0", "FLOAT, 0.5"})
    void productsOfAStackMatchTheReference(DataType type, double beta) {
        Nd4j.getRandom().setSeed(3);
        INDArray stack = Nd4j.randn(type, 3, 4, 6);
        INDArray target = Nd4j.randn(DataType.DOUBLE, 4, 4).castTo(type);
        double[][] before = target.castTo(DataType.DOUBLE).toDoubleMatrix();
        kernels.addProductsOfUpper(stack, target, beta);
        double[][] expected = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                expected[i][j] = beta * before[i][j];
            }
        }
        for (int n = 0; n < 3; n++) {
            double[][] mn = stack.slice(n).castTo(DataType.DOUBLE).toDoubleMatrix();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    for (int r = 0; r < 6; r++) {
                        expected[i][j] += mn[i][r] * mn[j][r];
                    }
                }
            }
        }
        assertUpperEquals(expected, target, type == DataType.FLOAT ? 1e-5 : FLOAT64_TOLERANCE);
        assertLowerUntouched(before, target);
    }

    @ParameterizedTest
    @CsvSource({"1", "63", "64", "130"})
    void mirrorUpperGivesTheSymmetricMatrixOfTheUpperTriangle(int n) {
        Nd4j.getRandom().setSeed(n);
        INDArray a = Nd4j.randn(DataType.DOUBLE, n, n);
        double[][] original = a.toDoubleMatrix();
        assertSame(a, kernels.mirrorUpper(a));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double expected = i <= j ? original[i][j] : original[j][i];
                assertEquals(expected, a.getDouble(i, j), 0.0, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void badRankUpdateOperandsAreRejectedWithAMessage() {
        INDArray rows = Nd4j.rand(DataType.DOUBLE, 4, 3);
        assertThrows(IllegalArgumentException.class,
                () -> kernels.addTransposeProductUpper(rows, Nd4j.zeros(DataType.DOUBLE, 4, 4), 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> kernels.addTransposeProductUpper(rows, Nd4j.zeros(DataType.FLOAT, 3, 3), 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> kernels.addTransposeProductUpper(rows.transpose(), Nd4j.zeros(DataType.DOUBLE, 4, 4), 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> kernels.addProductsOfUpper(Nd4j.rand(DataType.DOUBLE, 2, 3, 5), Nd4j.zeros(DataType.DOUBLE, 5, 5),
                        1.0));
        assertThrows(IllegalArgumentException.class,
                () -> kernels.addProductsOfUpper(Nd4j.rand(DataType.DOUBLE, 3, 5), Nd4j.zeros(DataType.DOUBLE, 3, 3),
                        1.0));
        assertThrows(IllegalArgumentException.class,
                () -> kernels.addProductsOfUpper(Nd4j.zeros(DataType.DOUBLE, 0, 3, 5),
                        Nd4j.zeros(DataType.DOUBLE, 3, 3), 1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.mirrorUpper(Nd4j.zeros(DataType.FLOAT, 3, 3)));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
    }

    // ---------------------------------------------------------------- GEMM

    @ParameterizedTest
    @CsvSource({"DOUBLE,false,false", "DOUBLE,true,false", "DOUBLE,false,true", "DOUBLE,true,true",
            "FLOAT,false,false", "FLOAT,true,false", "FLOAT,false,true", "FLOAT,true,true"})
    void gemmWritesAlphaProductPlusBetaOutputIntoThePreallocatedOutput(DataType type, boolean transposeA,
                                                                       boolean transposeB) {
        int m = 5;
        int k = 7;
        int n = 3;
        Nd4j.getRandom().setSeed(17 + (transposeA ? 1 : 0) + (transposeB ? 2 : 0));
        INDArray a = Nd4j.randn(DataType.DOUBLE, transposeA ? k : m, transposeA ? m : k).castTo(type);
        INDArray b = Nd4j.randn(DataType.DOUBLE, transposeB ? n : k, transposeB ? k : n).castTo(type);
        INDArray c = Nd4j.randn(DataType.DOUBLE, m, n).castTo(type).dup('c');
        double[][] av = a.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] bv = b.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] cv = c.castTo(DataType.DOUBLE).toDoubleMatrix();
        double alpha = 0.7;
        double beta = -1.3;
        double[][] expected = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int l = 0; l < k; l++) {
                    sum += (transposeA ? av[l][i] : av[i][l]) * (transposeB ? bv[j][l] : bv[l][j]);
                }
                expected[i][j] = alpha * sum + beta * cv[i][j];
            }
        }
        long address = c.data().address();
        kernels.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        assertEquals(address, c.data().address(), "the output must not be reallocated");
        assertEquals(type, c.dataType());
        assertEquals(List.of(5L, 3L), Arrays.stream(c.shape()).boxed().toList());
        double tol = type == DataType.FLOAT ? 1e-5 : FLOAT64_TOLERANCE;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(expected[i][j], c.getDouble(i, j), tol * (1 + Math.abs(expected[i][j])),
                        "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void gemmWithZeroBetaOverwritesTheOutput() {
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
        INDArray c = Nd4j.createFromArray(new double[][] {{100, 100}, {100, 100}});
        kernels.gemm(a, a, c, false, false, 1.0, 0.0);
        assertEquals(Nd4j.createFromArray(new double[][] {{7, 10}, {15, 22}}), c);
    }

    // ---------------------------------------------------------------- symmetric eigendecompositions

    @ParameterizedTest
    @ValueSource(ints = {5, 64, 256})
    void eigendecompositionHasATinyResidualOrthonormalVectorsAndEjmlsValues(int n) {
        INDArray a = randomSpd(n, 11 + n);
        INDArray copy = a.dup();
        Eigendecomposition e = kernels.decomposeSymmetric(a);
        assertEquals(copy, a, "input must not be modified");
        assertFloat64DecompositionOf(a, e);
    }

    @Test
    void float32InputIsDecomposedInFloat64() {
        INDArray a = randomSpd(40, 4).castTo(DataType.FLOAT);
        Eigendecomposition e = kernels.decomposeSymmetric(a);
        assertEquals(DataType.DOUBLE, e.values().dataType());
        assertEquals(DataType.DOUBLE, e.vectors().dataType());
        assertFloat64DecompositionOf(a.castTo(DataType.DOUBLE), e);
    }

    @Test
    void onlyTheLowerTriangleIsRead() {
        INDArray a = randomSpd(12, 21);
        INDArray upperChanged = a.dup('c');
        for (int i = 0; i < 12; i++) {
            for (int j = i + 1; j < 12; j++) {
                upperChanged.putScalar(i, j, 1000.0 + i - j);
            }
        }
        double[] expected = kernels.decomposeSymmetric(a).values().toDoubleVector();
        double[] actual = kernels.decomposeSymmetric(upperChanged).values().toDoubleVector();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-9 * (1 + Math.abs(expected[i])));
        }
    }

    @Test
    void smallKnownSpectrum() {
        Eigendecomposition e = kernels.decomposeSymmetric(Nd4j.createFromArray(new double[][] {{2, 1}, {1, 2}}));
        assertEquals(1.0, e.values().getDouble(0), 1e-12);
        assertEquals(3.0, e.values().getDouble(1), 1e-12);
        assertEquals(1.0 / Math.sqrt(2), Math.abs(e.vectors().getDouble(0, 1)), 1e-12);
    }

    @Test
    void batchedDecompositionsMatchSingleOnesInInputOrder() {
        List<INDArray> ms = List.of(randomSpd(5, 1), randomSpd(40, 2), randomSpd(12, 3));
        List<Eigendecomposition> all = kernels.decomposeAllSymmetric(ms);
        assertEquals(3, all.size());
        for (int i = 0; i < ms.size(); i++) {
            assertEquals(ms.get(i).size(0), all.get(i).values().length());
            INDArray expected = kernels.decomposeSymmetric(ms.get(i)).values();
            assertTrue(all.get(i).values().sub(expected).norm2Number().doubleValue() < 1e-9);
            assertFloat64DecompositionOf(ms.get(i), all.get(i));
        }
        INDArray bad = randomSpd(4, 5);
        bad.putScalar(0, 0, Double.POSITIVE_INFINITY);
        assertThrows(IllegalArgumentException.class,
                () -> kernels.decomposeAllSymmetric(List.of(randomSpd(4, 6), bad)));
    }

    @Test
    void rejectsNanAndNonSquare() {
        INDArray a = Nd4j.eye(3).castTo(DataType.DOUBLE);
        a.putScalar(1, 2, Double.NaN);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> kernels.decomposeSymmetric(a));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> kernels.decomposeSymmetric(Nd4j.zeros(DataType.DOUBLE, 2, 3)));
        assertTrue(shape.getMessage().contains("square"), shape.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** X X^T + I for a Gaussian X: symmetric positive definite with eigenvalues >= 1. */
    static INDArray randomSpd(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, n);
        return x.mmul(x.transpose()).addi(Nd4j.eye(n).castTo(DataType.DOUBLE));
    }

    /** Residual, orthogonality, order and EJML's eigenvalues, all in EJML float64 arithmetic. */
    static void assertFloat64DecompositionOf(INDArray symmetric, Eigendecomposition e) {
        int n = Math.toIntExact(symmetric.size(0));
        DMatrixRMaj a = ejml(symmetric);
        DMatrixRMaj v = ejml(e.vectors());
        double[] w = e.values().toDoubleVector();
        assertEquals(n, w.length);
        DMatrixRMaj av = CommonOps_DDRM.mult(a, v, null);
        DMatrixRMaj vw = v.copy();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                vw.set(i, j, v.get(i, j) * w[j]);
            }
        }
        double residual = NormOps_DDRM.normF(CommonOps_DDRM.subtract(av, vw, null)) / NormOps_DDRM.normF(a);
        assertTrue(residual < EIGEN_TOLERANCE, "n=" + n + " residual " + residual);
        DMatrixRMaj gram = CommonOps_DDRM.multTransA(v, v, null);
        double orthogonality = NormOps_DDRM.normF(CommonOps_DDRM.subtract(gram, CommonOps_DDRM.identity(n), null));
        assertTrue(orthogonality < EIGEN_TOLERANCE, "n=" + n + " orthogonality error " + orthogonality);
        for (int i = 1; i < n; i++) {
            assertTrue(w[i - 1] <= w[i], "eigenvalues must ascend");
        }
        double[] reference = ejmlEigenvalues(a);
        double scale = Math.abs(reference[n - 1]) + Math.abs(reference[0]);
        for (int i = 0; i < n; i++) {
            assertEquals(reference[i], w[i], 1e-10 * scale, "eigenvalue " + i + " of " + n);
        }
    }

    private static double[] ejmlEigenvalues(DMatrixRMaj a) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(a.numRows, false, true);
        assertTrue(eig.decompose(a.copy()), "EJML reference decomposition failed");
        double[] values = new double[a.numRows];
        for (int i = 0; i < values.length; i++) {
            values[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(values);
        return values;
    }

    private static DMatrixRMaj ejml(INDArray m) {
        return new DMatrixRMaj(m.castTo(DataType.DOUBLE).toDoubleMatrix());
    }

    private static double tolerance(DataType type) {
        return type == DataType.FLOAT ? FLOAT32_TOLERANCE : FLOAT64_TOLERANCE;
    }

    private static void assertUpperEquals(double[][] expected, INDArray actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            for (int j = i; j < expected.length; j++) {
                double e = expected[i][j];
                assertEquals(e, actual.getDouble(i, j), tol * (1 + Math.abs(e)), "(" + i + ", " + j + ")");
            }
        }
    }

    private static void assertLowerUntouched(double[][] before, INDArray actual) {
        for (int i = 0; i < before.length; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(before[i][j], actual.getDouble(i, j), 0.0, "lower triangle (" + i + ", " + j + ")");
            }
        }
    }
}
