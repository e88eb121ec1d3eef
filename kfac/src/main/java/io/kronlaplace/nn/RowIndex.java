package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.segment.UnsortedSegmentSum;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gathering rows by an index and its adjoint, adding rows into the places an index names: the two operations that
 * message passing and segment sums are made of. Both take arrays of {@code copies} blocks of rows, copy-major (as the
 * back-propagated vectors of a curvature pass), and apply the same index to every block. Both run as single native
 * operations (row pull, unsorted segment sum) in the values' type.
 */
public final class RowIndex {
    private RowIndex() {
    }

    /**
     * Rows of {@code x} picked by {@code index}: result row {@code c * index.length + i} is row
     * {@code c * rows + index[i]} of {@code x}, with {@code rows = x.size(0) / copies}.
     *
     * @param x      matrix of {@code copies} copy-major blocks of {@code rows} rows each
     * @param index  row numbers within one block, each in {@code [0, rows)}; may repeat, may be empty
     * @param copies number of blocks, at least 1
     * @return a new matrix {@code [copies * index.length, x.size(1)]} in x's type
     * @throws IllegalArgumentException when {@code x} is not a matrix of a multiple of {@code copies} rows or an index
     *                                  is out of range
     */
    public static INDArray gather(INDArray x, int[] index, int copies) {
        long rows = blockRows(x, copies, "gather");
        int[] all = new int[Math.multiplyExact(copies, index.length)];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < index.length; i++) {
                all[c * index.length + i] = Math.toIntExact(c * rows + checkIndex(index[i], rows, i));
            }
        }
        if (all.length == 0) {
            return Nd4j.create(x.dataType(), 0, x.size(1));
        }
        return Nd4j.pullRows(x, 1, all, 'c');
    }

    /**
     * The adjoint of {@link #gather}: result row {@code c * targetRows + t} is the sum of the rows
     * {@code c * index.length + i} of {@code values} with {@code index[i] == t} (zero where no index names t).
     *
     * @param values     matrix {@code [copies * index.length, D]}, copy-major
     * @param index      target row within a block for each row of a block of values, each in {@code [0, targetRows)}
     * @param targetRows rows per block of the result
     * @param copies     number of blocks, at least 1
     * @return a new matrix {@code [copies * targetRows, D]} in the values' type
     * @throws IllegalArgumentException when {@code values} does not have {@code copies * index.length} rows or an
     *                                  index is out of range
     */
    public static INDArray scatterAdd(INDArray values, int[] index, long targetRows, int copies) {
        long rows = blockRows(values, copies, "scatterAdd");
        if (rows != index.length) {
            throw new IllegalArgumentException("scatterAdd: " + values.size(0) + " rows are not " + copies
                    + " copies of " + index.length + " indexed rows");
        }
        int[] targets = new int[Math.multiplyExact(copies, index.length)];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < index.length; i++) {
                targets[c * index.length + i] = Math.toIntExact(c * targetRows + checkIndex(index[i], targetRows, i));
            }
        }
        int segments = Math.toIntExact(copies * targetRows);
        if (targets.length == 0) {
            return Nd4j.zeros(values.dataType(), segments, values.size(1));
        }
        return Nd4j.exec(new UnsortedSegmentSum(Tensors.dense(values), Nd4j.createFromArray(targets), segments))[0];
    }

    /**
     * Multiplies row {@code c * rows + r} of {@code x} by {@code factors[r]} for every copy c; a new array.
     *
     * @param x       matrix of {@code copies} copy-major blocks of {@code factors.length} rows each
     * @param factors one factor per row of a block
     * @param copies  number of blocks, at least 1
     * @return a new matrix of x's shape and type
     * @throws IllegalArgumentException when x is not a matrix of {@code copies * factors.length} rows
     */
    public static INDArray scaleRows(INDArray x, double[] factors, int copies) {
        long rows = blockRows(x, copies, "scaleRows");
        if (rows != factors.length) {
            throw new IllegalArgumentException("scaleRows: " + factors.length + " factors for blocks of " + rows
                    + " rows");
        }
        double[] all = new double[Math.multiplyExact(copies, factors.length)];
        for (int c = 0; c < copies; c++) {
            System.arraycopy(factors, 0, all, c * factors.length, factors.length);
        }
        INDArray column = Nd4j.createFromArray(all).reshape(all.length, 1).castTo(x.dataType());
        return x.mulColumnVector(column);
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
}
