package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DenseArraysTest {
    /** ND4J marks this reshape as a view; copying it doubled the memory of every unfolded EXPAND chunk. */
    @Test
    void aWholeBufferReshapeIsDenseAndNotCopied() {
        INDArray unfolded = Nd4j.rand(DataType.FLOAT, 2, 3, 3, 3, 4, 4);
        INDArray stack = unfolded.reshape(2, 27, 16);
        assertTrue(DenseArrays.isDenseC(stack));
        assertSame(stack, DenseArrays.denseC(stack));
    }

    @Test
    void offsetsTransposesAndPartialViewsAreCopiedInCOrder() {
        INDArray m = Nd4j.rand(DataType.DOUBLE, 4, 5);
        INDArray[] notDense = {
            m.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()),
            m.transpose(),
            m.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2)),
            m.dup('f'),
        };
        for (INDArray v : notDense) {
            assertFalse(DenseArrays.isDenseC(v), v.shapeInfoToString());
            INDArray copy = DenseArrays.denseC(v);
            assertNotSame(v, copy);
            assertTrue(DenseArrays.isDenseC(copy));
            assertEquals(v, copy);
        }
    }
}
