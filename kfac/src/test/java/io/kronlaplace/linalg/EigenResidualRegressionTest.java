package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * OpenBLAS 0.3.19 (bundled with ND4J 1.0.0-M2.1) returned wrong float64 eigenvectors for n >= 200 on AVX-512 CPUs
 * (relative residual ~2). Every backend must give ||A V - V diag(w)|| / ||A|| < 1e-10 at n = 256 and 512.
 */
class EigenResidualRegressionTest {

    private static INDArray randomSpd(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, n);
        return x.mmul(x.transpose()).addi(Nd4j.eye(n).castTo(DataType.DOUBLE));
    }

    @ParameterizedTest
    @EnumSource(SymmetricEigen.Backend.class)
    void residualIsTinyAtLargeN(SymmetricEigen.Backend backend) {
        for (int n : new int[] {256, 512}) {
            INDArray a = randomSpd(n, 11 + n);
            INDArray copy = a.dup();
            Eigendecomposition e = SymmetricEigen.decompose(a, backend);
            assertEquals(copy, a, "input must not be modified");
            INDArray v = e.vectors();
            INDArray w = e.values();
            double residual = a.mmul(v).sub(v.mulRowVector(w)).norm2Number().doubleValue()
                    / a.norm2Number().doubleValue();
            assertTrue(residual < 1e-10, backend + " n=" + n + " residual " + residual);
            double orth = v.transpose().mmul(v).sub(Nd4j.eye(n).castTo(DataType.DOUBLE)).norm2Number().doubleValue();
            assertTrue(orth < 1e-10, backend + " n=" + n + " orthogonality error " + orth);
            for (int i = 1; i < n; i++) {
                assertTrue(w.getDouble(i - 1) <= w.getDouble(i), "eigenvalues must ascend");
            }
            assertTrue(w.getDouble(0) > 0.5, "SPD + I has eigenvalues >= 1, got " + w.getDouble(0));
        }
    }

    @ParameterizedTest
    @EnumSource(SymmetricEigen.Backend.class)
    void smallKnownSpectrum(SymmetricEigen.Backend backend) {
        INDArray a = Nd4j.createFromArray(new double[][] {{2, 1}, {1, 2}});
        Eigendecomposition e = SymmetricEigen.decompose(a, backend);
        assertEquals(1.0, e.values().getDouble(0), 1e-12);
        assertEquals(3.0, e.values().getDouble(1), 1e-12);
        assertEquals(1.0 / Math.sqrt(2), Math.abs(e.vectors().getDouble(0, 1)), 1e-12);
    }

    @Test
    void parallelDecompositionsMatchSequentialOnesInInputOrder() {
        java.util.List<INDArray> ms = java.util.List.of(randomSpd(5, 1), randomSpd(40, 2), randomSpd(12, 3));
        java.util.List<Eigendecomposition> all = SymmetricEigen.decomposeAll(ms);
        assertEquals(3, all.size());
        for (int i = 0; i < ms.size(); i++) {
            assertEquals(ms.get(i).size(0), all.get(i).values().length());
            INDArray expected = SymmetricEigen.decompose(ms.get(i)).values();
            assertTrue(all.get(i).values().sub(expected).norm2Number().doubleValue() < 1e-9);
        }
        INDArray bad = randomSpd(4, 5);
        bad.putScalar(0, 0, Double.POSITIVE_INFINITY);
        assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.decomposeAll(java.util.List.of(randomSpd(4, 6), bad)));
    }

    @Test
    void decomposeAllRestoresOpenBlasThreadCount() {
        java.util.List<INDArray> ms = java.util.List.of(randomSpd(7, 8), randomSpd(300, 9), randomSpd(30, 10));
        int before = org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
        java.util.List<Eigendecomposition> all = SymmetricEigen.decomposeAll(ms);
        assertEquals(before, org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads(),
                "OpenBLAS's thread count must be restored");
        for (int i = 0; i < ms.size(); i++) {
            INDArray a = ms.get(i);
            INDArray v = all.get(i).vectors();
            double residual = a.mmul(v).sub(v.mulRowVector(all.get(i).values())).norm2Number().doubleValue()
                    / a.norm2Number().doubleValue();
            assertTrue(residual < 1e-10, "matrix " + i + " (n=" + a.size(0) + ") residual " + residual);
        }
    }

    @Test
    void rejectsNanAndNonSquare() {
        INDArray a = Nd4j.eye(3).castTo(DataType.DOUBLE);
        a.putScalar(1, 2, Double.NaN);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.decompose(a));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.decompose(Nd4j.zeros(DataType.DOUBLE, 2, 3)));
        assertTrue(shape.getMessage().contains("square"), shape.getMessage());
    }
}
