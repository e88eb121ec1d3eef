package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
}
