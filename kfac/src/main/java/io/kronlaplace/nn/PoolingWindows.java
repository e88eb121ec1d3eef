package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Square {@code k x k} pooling windows with stride s and no padding over NCHW images, shared by the pooling layers:
 * output size {@code (H - k) / s + 1}, and for each kernel offset (u, v) the strided view of the input positions
 * {@code (i*s + u, j*s + v)} over all output positions (i, j).
 *
 * @param kernel window height and width, >= 1
 * @param stride step between windows, >= 1
 */
record PoolingWindows(int kernel, int stride) {
    PoolingWindows {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("pooling needs positive kernel and stride, got kernel=" + kernel
                    + ", stride=" + stride);
        }
    }

    /** Output height and width for an {@code h x w} input; {@code layer} names the layer in errors. */
    long[] outputSize(long h, long w, String layer) {
        if (h < kernel || w < kernel) {
            throw new IllegalArgumentException(layer + ": input " + h + "x" + w + " is smaller than the " + kernel
                    + "x" + kernel + " window");
        }
        return new long[] {(h - kernel) / stride + 1, (w - kernel) / stride + 1};
    }

    /** The input positions {@code (i*s + u, j*s + v)} for all output positions (i, j) of an output of size hw. */
    INDArrayIndex[] window(int u, int v, long[] hw) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), strided(u, hw[0]), strided(v, hw[1])};
    }

    /** Positions {@code offset + j * stride} for j < count. */
    private INDArrayIndex strided(int offset, long count) {
        // ND4J rejects a strided interval of one element whose stride reaches past the axis, e.g. (1, stride 2, 2)
        // on an axis of size 2, although it names only position 1
        return count == 1 ? NDArrayIndex.interval(offset, offset + 1)
                : NDArrayIndex.interval(offset, stride, offset + (count - 1) * stride + 1);
    }

    /** Checks that an output-shaped gradient fits an input of shape {@code inputShape}; returns the output size. */
    long[] requireOutputGradient(INDArray gradOutput, long[] inputShape, String layer) {
        long[] hw = outputSize(inputShape[2], inputShape[3], layer);
        if (gradOutput.rank() != 4 || gradOutput.size(1) != inputShape[1] || gradOutput.size(2) != hw[0]
                || gradOutput.size(3) != hw[1]) {
            throw new IllegalArgumentException(layer + ": output gradient must be [" + gradOutput.size(0) + ", "
                    + inputShape[1] + ", " + hw[0] + ", " + hw[1] + "], got "
                    + java.util.Arrays.toString(gradOutput.shape()));
        }
        return hw;
    }
}
