package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the rows of a layer's input group into examples when the number of rows per example varies: consecutive
 * segments of the given lengths, in row order (the nodes or edges of each graph of a graph batch). A segment may be
 * empty (a graph without edges). See docs/graph-networks.md, section "Ragged positions".
 */
public final class RowSegments {
    private final int[] lengths;
    private final int[] segmentOfRow;
    private final int nonEmpty;

    /**
     * Segments of the given lengths, laid end to end from row 0.
     *
     * @param lengths rows per segment, in row order (copied); zero for an empty segment
     * @throws IllegalArgumentException when there is no segment or a length is negative
     */
    public RowSegments(int[] lengths) {
        if (lengths.length == 0) {
            throw new IllegalArgumentException("row segments need at least one segment");
        }
        this.lengths = lengths.clone();
        int rows = 0;
        int filled = 0;
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] < 0) {
                throw new IllegalArgumentException("segment " + s + " has negative length " + lengths[s]);
            }
            rows = Math.addExact(rows, lengths[s]);
            filled += lengths[s] > 0 ? 1 : 0;
        }
        this.nonEmpty = filled;
        this.segmentOfRow = new int[rows];
        int row = 0;
        for (int s = 0; s < lengths.length; s++) {
            Arrays.fill(segmentOfRow, row, row + lengths[s], s);
            row += lengths[s];
        }
    }

    /**
     * Number of segments (examples).
     *
     * @return the number of lengths given, empty segments included
     */
    public int count() {
        return lengths.length;
    }

    /**
     * Segments with at least one row.
     *
     * @return the number of non-empty segments
     */
    public int nonEmpty() {
        return nonEmpty;
    }

    /**
     * Total rows over all segments.
     *
     * @return the sum of the lengths
     */
    public int rows() {
        return segmentOfRow.length;
    }

    /**
     * Rows of segment {@code s}.
     *
     * @param s the segment index, in {@code [0, count())}
     * @return that segment's length
     * @throws ArrayIndexOutOfBoundsException when {@code s} is out of range
     */
    public int length(int s) {
        return lengths[s];
    }

    /**
     * The segment of every row (a copy).
     *
     * @return an array of length {@link #rows()} whose entry r is the index of the segment holding row r
     */
    public int[] segmentOfRow() {
        return segmentOfRow.clone();
    }

    /**
     * Sums over each segment of {@code copies} copy-major blocks of {@link #rows()} rows each:
     * {@code [copies * count(), D]}, zero rows for empty segments.
     *
     * @param values matrix {@code [copies * rows(), D]}, copy-major
     * @param copies number of copy-major blocks, at least 1
     * @return a new {@code [copies * count(), D]} matrix in the values' type; row {@code c * count() + s} is the sum of
     *         segment s in block c
     * @throws IllegalArgumentException when the values do not have {@code copies * rows()} rows
     */
    public INDArray sums(INDArray values, int copies) {
        return RowIndex.scatterAdd(values, segmentOfRow, lengths.length, copies);
    }

    /**
     * Means over each segment of {@code [rows(), D]} values: {@code [count(), D]}, zero rows for empty segments.
     *
     * @param values matrix {@code [rows(), D]}
     * @return a new {@code [count(), D]} matrix in the values' type
     * @throws IllegalArgumentException when the values do not have {@link #rows()} rows
     */
    public INDArray means(INDArray values) {
        return RowIndex.scaleRows(sums(values, 1), inverseLengths(), 1);
    }

    /**
     * 1 / length per segment, 0 for an empty one.
     *
     * @return a new array of length {@link #count()}
     */
    public double[] inverseLengths() {
        double[] out = new double[lengths.length];
        for (int s = 0; s < out.length; s++) {
            out[s] = lengths[s] == 0 ? 0 : 1.0 / lengths[s];
        }
        return out;
    }

    /**
     * Regroups per-row position stacks by segment: {@code copies} copy-major blocks of {@code [rows(), R, D]} become
     * {@code [copies * count(), L * R, D]} with L the longest segment, segment s holding its rows' positions in
     * order and zeros after them. Sums over positions per example are unchanged, so per-example Jacobians
     * {@code sum_r g[k, r] a[n, r]^T} can be formed as for a layer with L R positions per example.
     *
     * @param positions per-row position stacks {@code [copies * rows(), R, D]}, copy-major
     * @param copies    number of copy-major blocks, at least 1
     * @return a new array {@code [copies * count(), L * R, D]} in the positions' type
     * @throws IllegalArgumentException when the stack is not rank 3 with {@code copies * rows()} rows
     */
    public INDArray padded(INDArray positions, int copies) {
        if (positions.rank() != 3 || positions.size(0) != (long) copies * rows()) {
            throw new IllegalArgumentException("padded: expected " + copies + " x " + rows() + " position stacks, got "
                    + "shape " + Arrays.toString(positions.shape()));
        }
        int r = (int) positions.size(1);
        long d = positions.size(2);
        int longest = 0;
        for (int length : lengths) {
            longest = Math.max(longest, length);
        }
        int slots = longest * r;
        int[] slot = new int[rows() * r];
        int row = 0;
        for (int s = 0; s < lengths.length; s++) {
            for (int i = 0; i < lengths[s]; i++, row++) {
                for (int p = 0; p < r; p++) {
                    slot[row * r + p] = s * slots + i * r + p;
                }
            }
        }
        INDArray flat = Tensors.dense(positions).reshape((long) copies * rows() * r, d);
        return RowIndex.scatterAdd(flat, slot, (long) lengths.length * slots, copies)
                .reshape((long) copies * lengths.length, slots, d);
    }

    /**
     * Throws naming {@code owner} unless {@code rows} equals {@link #rows()}.
     *
     * @param rows  the row count of an input the segments are applied to
     * @param owner names the layer or operation in the message
     * @throws IllegalArgumentException when {@code rows} differs from {@link #rows()}
     */
    public void requireRows(long rows, String owner) {
        if (rows != segmentOfRow.length) {
            throw new IllegalArgumentException(owner + ": " + rows + " input rows do not match the " + lengths.length
                    + " row segments of " + segmentOfRow.length + " rows in all");
        }
    }
}
