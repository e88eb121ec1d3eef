package io.kronlaplace.cuda;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One device allocation that is reused across calls: it grows when a call needs more bytes than it holds and never
 * shrinks, so that a training run with fixed factor sizes allocates once. Not thread-safe; its owner serialises use.
 */
final class DeviceBuffer implements AutoCloseable {
    private final String name;
    private final Pointer device = new Pointer();
    private long bytes;

    DeviceBuffer(String name) {
        this.name = name;
    }

    /** The device address of at least {@code needed} bytes; earlier contents are lost when it grows. */
    Pointer reserve(long needed) {
        if (needed > bytes) {
            free();
            CudaStatus.checkRuntime(cudart.cudaMalloc(device, needed),
                    "cudaMalloc of " + needed + " bytes for the " + name + " buffer");
            bytes = needed;
        }
        return device;
    }

    /** {@link #reserve} for {@code count} float64 values. */
    DoublePointer doubles(long count) {
        return new DoublePointer(reserve(count * Double.BYTES));
    }

    /** {@link #reserve} for {@code count} float32 values. */
    FloatPointer floats(long count) {
        return new FloatPointer(reserve(count * Float.BYTES));
    }

    /** {@link #reserve} for {@code count} 32-bit integers. */
    IntPointer ints(long count) {
        return new IntPointer(reserve(count * Integer.BYTES));
    }

    private void free() {
        if (bytes > 0) {
            CudaStatus.checkRuntime(cudart.cudaFree(device), "cudaFree of the " + name + " buffer");
            bytes = 0;
        }
    }

    @Override
    public void close() {
        free();
    }
}
