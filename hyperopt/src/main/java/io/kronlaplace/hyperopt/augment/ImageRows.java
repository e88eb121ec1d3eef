package io.kronlaplace.hyperopt.augment;

import io.kronlaplace.nn.Tensors;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-wise float64 access to the off-heap buffer of a C-ordered float32/float64 batch, so the resampling kernels
 * can work on one image at a time in {@code double[]} scratch without copying whole batches to the Java heap.
 * Other floating-point types go through float32.
 */
final class ImageRows {
    private final INDArray array;
    private final DataType requested;
    private final int rowSize;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;
    private final float[] floatScratch;

    private ImageRows(INDArray array, DataType requested, int rowSize) {
        this.array = array;
        this.requested = requested;
        this.rowSize = rowSize;
        if (array.dataType() == DataType.DOUBLE) {
            this.doubles = array.data().asNioDouble();
            this.floats = null;
            this.floatScratch = null;
        } else {
            this.floats = array.data().asNioFloat();
            this.doubles = null;
            this.floatScratch = new float[rowSize];
        }
    }

    /** Reads an existing batch (copied to a contiguous C-ordered float32/float64 array if it is not one). */
    static ImageRows reading(INDArray x) {
        INDArray a = x.dataType() == DataType.DOUBLE || x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT);
        a = Tensors.denseBuffer(a);
        return new ImageRows(a, x.dataType(), Math.toIntExact(a.length() / a.size(0)));
    }

    /** A new, uninitialised batch of the given type and shape to be filled row by row. */
    static ImageRows writing(DataType type, long... shape) {
        DataType storage = type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        INDArray a = Nd4j.createUninitialized(storage, shape, 'c');
        return new ImageRows(a, type, Math.toIntExact(a.length() / a.size(0)));
    }

    /** Values per row (C * H * W). */
    int rowSize() {
        return rowSize;
    }

    /** Copies row {@code row} into {@code dst[offset ..]}; rejects NaN and infinity naming {@code what}. */
    void read(int row, double[] dst, int offset, String what) {
        int start = row * rowSize;
        if (doubles != null) {
            doubles.get(start, dst, offset, rowSize);
        } else {
            floats.get(start, floatScratch, 0, rowSize);
            for (int i = 0; i < rowSize; i++) {
                dst[offset + i] = floatScratch[i];
            }
        }
        for (int i = offset; i < offset + rowSize; i++) {
            if (!Double.isFinite(dst[i])) {
                throw new IllegalArgumentException(what + " contains NaN or infinite values (row " + row + ")");
            }
        }
    }

    /** All rows as one {@code double[]}. */
    double[] readAll(String what) {
        int rows = Math.toIntExact(array.size(0));
        double[] all = new double[rows * rowSize];
        for (int r = 0; r < rows; r++) {
            read(r, all, r * rowSize, what);
        }
        return all;
    }

    /** Writes {@code src[offset .. offset + rowSize)} to row {@code row}. */
    void write(int row, double[] src, int offset) {
        int start = row * rowSize;
        if (doubles != null) {
            doubles.put(start, src, offset, rowSize);
        } else {
            for (int i = 0; i < rowSize; i++) {
                floatScratch[i] = (float) src[offset + i];
            }
            floats.put(start, floatScratch, 0, rowSize);
        }
    }

    /** The batch in the requested data type. */
    INDArray array() {
        return array.dataType() == requested ? array : array.castTo(requested);
    }
}
