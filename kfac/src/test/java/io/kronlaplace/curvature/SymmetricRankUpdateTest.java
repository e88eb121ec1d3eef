package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.linalg.OpenBlasThreads;
import org.bytedeco.openblas.global.openblas_full;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SymmetricRankUpdateTest {
    @ParameterizedTest
    @CsvSource({"DOUBLE,5,7", "DOUBLE,9,3", "FLOAT,6,11", "FLOAT,130,4"})
    void transposeProductMatchesGemmOnTheUpperTriangleAndKeepsBeta(DataType type, int rows, int d) {
        Nd4j.getRandom().setSeed(rows * 31L + d);
        INDArray m = Nd4j.randn(type, rows, d);
        INDArray start = Nd4j.randn(DataType.DOUBLE, d, d).castTo(type);
        INDArray target = start.dup('c');
        SymmetricRankUpdate.addTransposeProduct(m, target, 0.5);
        INDArray m64 = m.castTo(DataType.DOUBLE);
        INDArray expected = start.castTo(DataType.DOUBLE).mul(0.5).add(m64.transpose().mmul(m64));
        assertUpperEquals(expected, target.castTo(DataType.DOUBLE), type == DataType.FLOAT ? 1e-4 : 1e-12);
        assertEquals(start.getDouble(d - 1, 0), target.getDouble(d - 1, 0), 0.0, "lower triangle is not written");
    }

    @ParameterizedTest
    @CsvSource({"DOUBLE", "FLOAT"})
    void productOfOneStackedMatrixMatchesGemm(DataType type) {
        Nd4j.getRandom().setSeed(3);
        INDArray stack = Nd4j.randn(type, 3, 4, 6);
        INDArray target = Nd4j.zeros(type, 4, 4);
        SymmetricRankUpdate.addProductOf(stack, 2, target, 0.0);
        SymmetricRankUpdate.addProductOf(stack, 1, target, 1.0);
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 4, 4);
        for (int i = 1; i <= 2; i++) {
            INDArray mi = stack.slice(i).castTo(DataType.DOUBLE);
            expected.addi(mi.mmul(mi.transpose()));
        }
        assertUpperEquals(expected, target.castTo(DataType.DOUBLE), type == DataType.FLOAT ? 1e-5 : 1e-12);
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
            SymmetricRankUpdate.addTransposeProduct(Nd4j.ones(DataType.DOUBLE, 4, 3), Nd4j.zeros(DataType.DOUBLE, 3, 3),
                    0.0);
            assertEquals(2, OpenBlasThreads.current());
        } finally {
            openblas_full.openblas_set_num_threads(before);
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "63", "64", "130"})
    void mirrorUpperGivesTheSymmetricMatrixOfTheUpperTriangle(int n) {
        Nd4j.getRandom().setSeed(n);
        INDArray a = Nd4j.randn(DataType.DOUBLE, n, n);
        INDArray original = a.dup();
        SymmetricRankUpdate.mirrorUpper(a);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double expected = i <= j ? original.getDouble(i, j) : original.getDouble(j, i);
                assertEquals(expected, a.getDouble(i, j), 0.0, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void badOperandsAreRejectedWithAMessage() {
        INDArray rows = Nd4j.rand(DataType.DOUBLE, 4, 3);
        assertThrows(IllegalArgumentException.class,
                () -> SymmetricRankUpdate.addTransposeProduct(rows, Nd4j.zeros(DataType.DOUBLE, 4, 4), 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> SymmetricRankUpdate.addTransposeProduct(rows, Nd4j.zeros(DataType.FLOAT, 3, 3), 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> SymmetricRankUpdate.addTransposeProduct(rows.transpose(), Nd4j.zeros(DataType.DOUBLE, 4, 4),
                        1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SymmetricRankUpdate.mirrorUpper(Nd4j.zeros(DataType.FLOAT, 3, 3)));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
    }

    private static void assertUpperEquals(INDArray expected, INDArray actual, double tol) {
        for (int i = 0; i < expected.rows(); i++) {
            for (int j = i; j < expected.columns(); j++) {
                double e = expected.getDouble(i, j);
                assertEquals(e, actual.getDouble(i, j), tol * (1 + Math.abs(e)), "(" + i + ", " + j + ")");
            }
        }
    }
}
