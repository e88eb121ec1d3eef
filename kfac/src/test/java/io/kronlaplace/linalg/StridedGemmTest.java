package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Products of blocks inside larger buffers (offsets and leading dimensions) against ND4J's products of the same
 * blocks cut out as copies, for every transpose combination and both floating types; blocks that do not fit their
 * buffer are refused before any memory is touched.
 */
class StridedGemmTest {

    @ParameterizedTest(name = "transA={0} transB={1} {2}")
    @CsvSource({"false,false,DOUBLE", "true,false,DOUBLE", "false,true,DOUBLE", "true,true,DOUBLE",
        "false,false,FLOAT", "true,true,FLOAT"})
    void aProductOfBlocksEqualsTheProductOfTheBlocksCopiedOut(boolean transA, boolean transB, DataType type) {
        int m = 3;
        int n = 4;
        int k = 5;
        Nd4j.getRandom().setSeed(11);
        // A's stored block sits at rows 1.., columns 2.. of a 9 x 8 buffer; B's at rows 2.., columns 1.. of 8 x 7
        INDArray aBuffer = Nd4j.rand(type, 9, 8);
        INDArray bBuffer = Nd4j.rand(type, 8, 7);
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        INDArray a = aBuffer.get(NDArrayIndex.interval(1, 1 + aRows), NDArrayIndex.interval(2, 2 + aCols)).dup('c');
        INDArray b = bBuffer.get(NDArrayIndex.interval(2, 2 + bRows), NDArrayIndex.interval(1, 1 + bCols)).dup('c');
        // C is every other row of a 7 x 6 buffer starting at (1, 1), with beta = 0.5 on its old values
        INDArray cBuffer = Nd4j.rand(type, 7, 6);
        INDArray before = cBuffer.dup();
        StridedGemm.gemm(transA, transB, m, n, k, 2.0, aBuffer, 8 + 2, 8, bBuffer, 2 * 7 + 1, 7, 0.5, cBuffer, 6 + 1,
                12);
        INDArray expected = (transA ? a.transpose() : a).mmul(transB ? b.transpose() : b).muli(2.0);
        double tolerance = type == DataType.DOUBLE ? 1e-13 : 1e-5;
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 6; j++) {
                boolean written = i % 2 == 1 && i / 2 < m && j >= 1 && j < 1 + n;
                double want = written ? expected.getDouble(i / 2, j - 1) + 0.5 * before.getDouble(i, j)
                        : before.getDouble(i, j);
                assertEquals(want, cBuffer.getDouble(i, j), tolerance, "C(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void blocksOutsideTheirBufferMixedTypesAndViewsAreRefused() {
        INDArray a = Nd4j.rand(DataType.DOUBLE, 4, 4);
        INDArray b = Nd4j.rand(DataType.DOUBLE, 4, 4);
        INDArray c = Nd4j.zeros(DataType.DOUBLE, 4, 4);
        INDArray untouched = c.dup();
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> StridedGemm.gemm(false, false, 4, 4, 4, 1.0, a, 1, 4, b, 0, 4, 0.0, c, 0, 4));
        assertTrue(past.getMessage().contains("operand A"), past.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> StridedGemm.gemm(false, false, 2, 2, 2, 1.0, a, 0, 1, b, 0, 4, 0.0, c, 0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> StridedGemm.gemm(false, false, 4, 4, 4, 1.0, a, 0, 4, b, 0, 4, 0.0, c, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> StridedGemm.gemm(false, false, 2, 2, 2, 1.0,
                a.castTo(DataType.FLOAT), 0, 4, b, 0, 4, 0.0, c, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> StridedGemm.gemm(false, false, 2, 2, 2, 1.0,
                a.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()), 0, 4, b, 0, 4, 0.0, c, 0, 4));
        assertEquals(untouched, c, "a refused product writes nothing");
    }
}
