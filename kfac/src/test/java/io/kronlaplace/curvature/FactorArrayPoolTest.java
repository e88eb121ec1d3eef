package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class FactorArrayPoolTest {

    @Test
    void keepsAtMostOneReadOutOfArraysPerSizeAndFreesTheRest() {
        FactorArrayPool pool = new FactorArrayPool();
        pool.limitTo(Map.of(3L, 2));
        INDArray a = pool.take(3);
        INDArray b = pool.take(3);
        INDArray c = pool.take(3);
        INDArray other = pool.take(4);
        assertEquals(DataType.DOUBLE, a.dataType());
        assertEquals('c', a.ordering());
        assertTrue(java.util.Arrays.equals(new long[] {3, 3}, a.shape()));
        pool.give(a);
        pool.give(b);
        pool.give(c);
        pool.give(other);
        assertFalse(a.wasClosed());
        assertFalse(b.wasClosed());
        assertTrue(c.wasClosed(), "a third 3 x 3 array is more than one read-out takes");
        assertTrue(other.wasClosed(), "no read-out takes 4 x 4 arrays");
        long taken = pool.take(3).data().address();
        assertTrue(taken == a.data().address() || taken == b.data().address());
        pool.take(3);
        assertNotEquals(a.data().address(), pool.take(3).data().address(), "the pool is empty: a new array");

        pool.limitTo(Map.of(3L, 1));
        INDArray d = pool.take(3);
        pool.give(d);
        pool.clear();
        assertTrue(d.wasClosed());
    }

    @Test
    void factorsMadeByTheirConstructorFreeTheirCopiesWhenClosed() {
        INDArray a = org.nd4j.linalg.factory.Nd4j.eye(3).castTo(DataType.DOUBLE);
        KronFactors factors = new KronFactors("fc", a, a.mul(2), KfacFlavour.REDUCE);
        INDArray view = factors.aView();
        factors.close();
        assertTrue(view.wasClosed());
        assertFalse(a.wasClosed(), "the caller's array is the caller's");
        assertTrue(factors.toString().contains("closed"), factors.toString());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, factors::inFeatures);
    }
}
