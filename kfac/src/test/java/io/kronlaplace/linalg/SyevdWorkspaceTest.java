package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The reused {@code dsyevd} workspace gives exactly what {@code LAPACKE_dsyevd} gives for the same row-major matrix,
 * also for matrices smaller than the workspace, views, float32 input and inputs whose upper triangle differs from the
 * lower one (only the lower is read).
 */
class SyevdWorkspaceTest {

    @Test
    @SuppressWarnings("try") // the single-threaded section is held for its effect only
    void decompositionsAreBitForBitThoseOfLapackesOwnRowMajorCall() {
        List<INDArray> matrices = new ArrayList<>();
        matrices.add(random(300, 1));
        matrices.add(random(7, 2));
        matrices.add(random(64, 3).castTo(DataType.FLOAT));
        matrices.add(random(90, 4).get(NDArrayIndex.interval(10, 50), NDArrayIndex.interval(20, 60)));
        matrices.add(random(1, 5));
        matrices.add(random(30, 6).transpose());
        List<Eigendecomposition> all = SymmetricEigen.decomposeAll(matrices);
        // decomposeAll runs OpenBLAS on one thread per matrix; a threaded dsyevd may round differently
        try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
            assertSameAsLapacke(matrices, all);
        }
    }

    private static void assertSameAsLapacke(List<INDArray> matrices, List<Eigendecomposition> all) {
        for (int i = 0; i < matrices.size(); i++) {
            Eigendecomposition expected = lapackeRowMajor(matrices.get(i));
            assertArrayEquals(expected.values().toDoubleVector(), all.get(i).values().toDoubleVector(), 0.0,
                    "eigenvalues of matrix " + i);
            assertArrayEquals(expected.vectors().data().asDouble(), all.get(i).vectors().dup('c').data().asDouble(),
                    0.0, "eigenvectors of matrix " + i);
            assertEquals(expected, SymmetricEigen.decompose(matrices.get(i)), "single decomposition of matrix " + i);
        }
    }

    @Test
    void refusesMatricesLargerThanItsCapacity() {
        try (SyevdWorkspace workspace = new SyevdWorkspace(3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> workspace.decompose(random(4, 7), 4));
            assertEquals("a 4 x 4 matrix exceeds this workspace's capacity 3", e.getMessage());
        }
    }

    /** Upper and lower triangles differ, so a solver reading the wrong one gives other numbers. */
    private static INDArray random(int n, long seed) {
        INDArray g = Nd4j.getRandomFactory().getNewRandomInstance(seed).nextGaussian(new int[] {n, n});
        return g.castTo(DataType.DOUBLE);
    }

    private static Eigendecomposition lapackeRowMajor(INDArray m) {
        int n = Math.toIntExact(m.size(0));
        INDArray a = m.castTo(DataType.DOUBLE).dup('c');
        try (DoublePointer w = new DoublePointer(n)) {
            int info = openblas.LAPACKE_dsyevd(101, (byte) 'V', (byte) 'L', n,
                    new DoublePointer(a.data().addressPointer()), n, w);
            assertEquals(0, info);
            double[] values = new double[n];
            w.get(values);
            return new Eigendecomposition(Nd4j.createFromArray(values), a);
        }
    }
}
