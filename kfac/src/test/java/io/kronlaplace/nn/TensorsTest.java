package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TensorsTest {
    @Test
    void finiteEntriesWhoseSumOverflowsAreFinite() {
        assertTrue(Tensors.allFinite(Nd4j.createFromArray(1e308, 1e308, -1.0)));
        assertTrue(Tensors.allFinite(Nd4j.createFromArray(3e38f, 3e38f)));
        assertTrue(Tensors.allFinite(Nd4j.createFromArray(-1e308, -1e308)));
    }

    @Test
    void anyNanOrInfinityIsFound() {
        assertFalse(Tensors.allFinite(Nd4j.createFromArray(1.0, Double.NaN, 2.0)));
        assertFalse(Tensors.allFinite(Nd4j.createFromArray(1.0f, Float.POSITIVE_INFINITY)));
        assertFalse(Tensors.allFinite(Nd4j.createFromArray(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
        INDArray big = Nd4j.rand(DataType.DOUBLE, 300, 300);
        big.putScalar(299, 7, Double.NEGATIVE_INFINITY);
        assertFalse(Tensors.allFinite(big));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensors.requireFinite(big, "factor A"));
        assertTrue(e.getMessage().contains("factor A"), e.getMessage());
    }

    @Test
    void integerAndEmptyArraysAreFinite() {
        assertTrue(Tensors.allFinite(Nd4j.createFromArray(1, 2, 3)));
        assertTrue(Tensors.allFinite(Nd4j.empty(DataType.DOUBLE)));
        assertDoesNotThrow(() -> Tensors.requireFinite(Nd4j.rand(DataType.FLOAT, 4, 4), "x"));
    }

    /** ND4J marks this reshape as a view; copying it doubled the memory of every unfolded K-FAC-expand chunk. */
    @Test
    void aWholeBufferReshapeIsADenseBufferAndNotCopied() {
        INDArray unfolded = Nd4j.rand(DataType.FLOAT, 2, 3, 3, 3, 4, 4);
        INDArray stack = unfolded.reshape(2, 27, 16);
        assertTrue(Tensors.isDenseBuffer(stack));
        assertSame(stack, Tensors.denseBuffer(stack));
    }

    @Test
    void offsetsTransposesAndPartialViewsAreCopiedToDenseBuffers() {
        INDArray m = Nd4j.rand(DataType.DOUBLE, 4, 5);
        INDArray[] notDense = {
            m.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()),
            m.transpose(),
            m.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2)),
            m.dup('f'),
        };
        for (INDArray v : notDense) {
            assertFalse(Tensors.isDenseBuffer(v), v.shapeInfoToString());
            INDArray copy = Tensors.denseBuffer(v);
            assertNotSame(v, copy);
            assertTrue(Tensors.isDenseBuffer(copy));
            assertEquals(v, copy);
        }
    }
}
