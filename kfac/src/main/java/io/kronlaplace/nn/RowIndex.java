package io.kronlaplace.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gathering rows by an index and its adjoint, adding rows into the places an index names: the two operations that
 * message passing and segment sums are made of. Both take arrays of {@code copies} blocks of rows, copy-major (as the
 * back-propagated vectors of a curvature pass), and apply the same index to every block. The result has the type of
 * the values; the sums run in float64.
 */
public final class RowIndex {
    private RowIndex() {
    }

    /**
     * Rows of {@code x} picked by {@code index}: result row {@code c * index.length + i} is row
     * {@code c * rows + index[i]} of {@code x}, with {@code rows = x.size(0) / copies}.
     *
     * @throws IllegalArgumentException when {@code x} is not a matrix of a multiple of {@code copies} rows or an index
     *                                  is out of range
     */
    public static INDArray gather(INDArray x, int[] index, int copies) {
        long rows = blockRows(x, copies, "gather");
        int d = (int) x.size(1);
        double[] in = values(x);
        double[] out = new double[Math.multiplyExact(copies, Math.multiplyExact(index.length, d))];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < index.length; i++) {
                int row = checkIndex(index[i], rows, i);
                System.arraycopy(in, (int) ((c * rows + row) * d), out, (c * index.length + i) * d, d);
            }
        }
        return matrix(out, (long) copies * index.length, d, x.dataType());
    }

    /**
     * The adjoint of {@link #gather}: result row {@code c * targetRows + t} is the sum of the rows
     * {@code c * index.length + i} of {@code values} with {@code index[i] == t} (zero where no index names t).
     *
     * @throws IllegalArgumentException when {@code values} does not have {@code copies * index.length} rows or an
     *                                  index is out of range
     */
    public static INDArray scatterAdd(INDArray values, int[] index, long targetRows, int copies) {
        long rows = blockRows(values, copies, "scatterAdd");
        if (rows != index.length) {
            throw new IllegalArgumentException("scatterAdd: " + values.size(0) + " rows are not " + copies
                    + " copies of " + index.length + " indexed rows");
        }
        int d = (int) values.size(1);
        double[] in = values(values);
        double[] out = new double[Math.toIntExact(copies * targetRows * d)];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < index.length; i++) {
                int target = checkIndex(index[i], targetRows, i);
                int from = (c * index.length + i) * d;
                int to = (int) ((c * targetRows + target) * d);
                for (int j = 0; j < d; j++) {
                    out[to + j] += in[from + j];
                }
            }
        }
        return matrix(out, copies * targetRows, d, values.dataType());
    }

    /** Multiplies row {@code c * rows + r} of {@code x} by {@code factors[r]} for every copy c; a new array. */
    public static INDArray scaleRows(INDArray x, double[] factors, int copies) {
        long rows = blockRows(x, copies, "scaleRows");
        if (rows != factors.length) {
            throw new IllegalArgumentException("scaleRows: " + factors.length + " factors for blocks of " + rows
                    + " rows");
        }
        int d = (int) x.size(1);
        double[] v = values(x);
        for (int c = 0; c < copies; c++) {
            for (int r = 0; r < factors.length; r++) {
                int from = (int) ((c * rows + r) * d);
                for (int j = 0; j < d; j++) {
                    v[from + j] *= factors[r];
                }
            }
        }
        return matrix(v, x.size(0), d, x.dataType());
    }

    private static long blockRows(INDArray x, int copies, String what) {
        if (x.rank() != 2 || copies < 1 || x.size(0) % copies != 0) {
            throw new IllegalArgumentException(what + ": needs a matrix of a multiple of " + copies + " rows, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        return x.size(0) / copies;
    }

    private static int checkIndex(int index, long bound, int position) {
        if (index < 0 || index >= bound) {
            throw new IllegalArgumentException("row index " + index + " at position " + position + " is outside [0, "
                    + bound + ")");
        }
        return index;
    }

    private static double[] values(INDArray x) {
        return x.dup('c').reshape(x.length()).toDoubleVector();
    }

    private static INDArray matrix(double[] v, long rows, long cols, DataType type) {
        INDArray m = v.length == 0 ? Nd4j.zeros(DataType.DOUBLE, rows, cols) : Nd4j.createFromArray(v).reshape(rows, cols);
        return type == DataType.DOUBLE ? m : m.castTo(type);
    }
}
