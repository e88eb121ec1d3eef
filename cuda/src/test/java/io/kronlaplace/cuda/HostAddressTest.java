package io.kronlaplace.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The host pointers that {@link CudaKernels} hands to the core: they address the array's own memory at the requested
 * element, start at position 0 and know how many elements follow, so the core's capacity checks see the real bound.
 * Needs no device.
 */
class HostAddressTest {

    @Test
    void aFloat64PointerAddressesTheRequestedMatrixOfAStack() {
        INDArray stack = Nd4j.arange(60).castTo(DataType.DOUBLE).reshape('c', 3, 4, 5);
        DoublePointer second = CudaKernels.doubles(stack, 20);
        assertEquals(0, second.position());
        assertEquals(40, second.capacity());
        assertEquals(stack.getDouble(1, 0, 0), second.get(0), 0.0);
        assertEquals(stack.getDouble(2, 3, 4), second.get(39), 0.0);
        second.put(7, -1.0);
        assertEquals(-1.0, stack.getDouble(1, 1, 2), 0.0, "the pointer writes into the array's own memory");
    }

    @Test
    void aFloat32PointerAddressesTheWholeArray() {
        INDArray m = Nd4j.arange(12).castTo(DataType.FLOAT).reshape('c', 3, 4);
        FloatPointer all = CudaKernels.floats(m, 0);
        assertEquals(0, all.position());
        assertEquals(12, all.capacity());
        assertEquals(m.getFloat(2, 3), all.get(11), 0.0f);
    }
}
