package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.openblas.global.openblas_full;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CPU kernels: the generic contract, plus what only OpenBLAS/LAPACK has: the thread-count rules of the rank
 * updates and batched eigendecompositions, and every {@link SymmetricEigen.Backend} at n = 256 and 512 (OpenBLAS
 * 0.3.19, bundled with ND4J 1.0.0-M2.1, returned wrong float64 eigenvectors for n >= 200 on AVX-512 CPUs, relative
 * residual ~2).
 */
class CpuKernelsTest extends ComputeKernelsContractTest {

    @Override
    protected ComputeKernels create() {
        return new CpuKernels();
    }

    @Test
    void isTheAlwaysAvailableCpuDevice() {
        assertEquals(ComputeDevices.CPU, kernels.name());
        assertTrue(kernels.isAvailable());
        assertInstanceOf(CpuKernels.class, ComputeDevices.cpu());
    }

    @Test
    void reduceSizedUpdatesRunOnOneThreadAndExpandSizedOnesKeepTheThreadCount() {
        // WRN-16-4: reduce adds one row per example to factors of up to 2304 x 2304; expand adds 2^24 / D unfolded
        // patch rows at a time to the 576- and 1152-wide ones
        assertTrue(SymmetricRankUpdate.singleThreaded(2304, 128));
        assertTrue(SymmetricRankUpdate.singleThreaded(256, 128 * 64));
        assertFalse(SymmetricRankUpdate.singleThreaded(576, (1L << 24) / 576));
        assertFalse(SymmetricRankUpdate.singleThreaded(1152, (1L << 24) / 1152));
    }

    @Test
    void aShortUpdateRestoresOpenBlasThreadCount() {
        int before = OpenBlasThreads.current();
        openblas_full.openblas_set_num_threads(2);
        try {
            kernels.addTransposeProductUpper(Nd4j.ones(DataType.DOUBLE, 4, 3), Nd4j.zeros(DataType.DOUBLE, 3, 3),
                    0.0);
            assertEquals(2, OpenBlasThreads.current());
        } finally {
            openblas_full.openblas_set_num_threads(before);
        }
    }

    @Test
    void batchedDecompositionsRestoreOpenBlasThreadCount() {
        List<INDArray> ms = List.of(randomSpd(7, 8), randomSpd(300, 9), randomSpd(30, 10));
        int before = openblas_full.openblas_get_num_threads();
        List<Eigendecomposition> all = kernels.decomposeAllSymmetric(ms);
        assertEquals(before, openblas_full.openblas_get_num_threads(), "OpenBLAS's thread count must be restored");
        for (int i = 0; i < ms.size(); i++) {
            INDArray a = ms.get(i);
            INDArray v = all.get(i).vectors();
            double residual = a.mmul(v).sub(v.mulRowVector(all.get(i).values())).norm2Number().doubleValue()
                    / a.norm2Number().doubleValue();
            assertTrue(residual < 1e-10, "matrix " + i + " (n=" + a.size(0) + ") residual " + residual);
        }
    }

    @ParameterizedTest
    @EnumSource(SymmetricEigen.Backend.class)
    void everySolverHasATinyResidualAtLargeN(SymmetricEigen.Backend backend) {
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
    void everySolverGetsASmallKnownSpectrum(SymmetricEigen.Backend backend) {
        INDArray a = Nd4j.createFromArray(new double[][] {{2, 1}, {1, 2}});
        Eigendecomposition e = SymmetricEigen.decompose(a, backend);
        assertEquals(1.0, e.values().getDouble(0), 1e-12);
        assertEquals(3.0, e.values().getDouble(1), 1e-12);
        assertEquals(1.0 / Math.sqrt(2), Math.abs(e.vectors().getDouble(0, 1)), 1e-12);
    }
}
