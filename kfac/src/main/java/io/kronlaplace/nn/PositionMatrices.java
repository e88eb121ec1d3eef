package io.kronlaplace.nn;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight layer's per-row values at its shared positions, one matrix per row, in the orientation the layer produces
 * without a transposing copy: {@code [rows, R, D]} for a Linear layer (its inputs are already positions by features),
 * {@code [rows, D, R]} for Conv2d (im2col patches and NCHW gradients are features by positions). Code that only
 * needs sums over positions or Gram matrices reads either orientation directly; {@link #positionsLast()} gives the
 * common {@code [rows, R, D]} layout. See docs/layer-layouts.md, section "The contract".
 *
 * @param values      the stacked matrices, rank 3, in the layer's floating type
 * @param orientation which axis of each matrix holds the positions
 */
public record PositionMatrices(INDArray values, Orientation orientation) {

    /** Which axis of each per-row matrix holds the positions. */
    public enum Orientation {
        /** {@code [rows, R, D]}: one row of the matrix per position. */
        POSITIONS_BY_FEATURES,
        /** {@code [rows, D, R]}: one column of the matrix per position. */
        FEATURES_BY_POSITIONS
    }

    /**
     * Checks the stack.
     *
     * @param values      the stacked matrices, rank 3, in the layer's floating type; held, not copied
     * @param orientation which axis of each matrix holds the positions
     * @throws NullPointerException     when either argument is null
     * @throws IllegalArgumentException when {@code values} is not rank 3
     */
    public PositionMatrices {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(orientation, "orientation");
        if (values.rank() != 3) {
            throw new IllegalArgumentException("position matrices must be rank 3 [rows, R, D] or [rows, D, R], got "
                    + Arrays.toString(values.shape()));
        }
    }

    /**
     * Rows (examples, or back-propagated vectors) in the stack.
     *
     * @return the size of dimension 0
     */
    public long rows() {
        return values.size(0);
    }

    /**
     * Positions R per row.
     *
     * @return the size of the positions axis (dimension 1 or 2, by orientation)
     */
    public long positions() {
        return values.size(orientation == Orientation.POSITIONS_BY_FEATURES ? 1 : 2);
    }

    /**
     * Features D per position.
     *
     * @return the size of the features axis (dimension 2 or 1, by orientation)
     */
    public long features() {
        return values.size(orientation == Orientation.POSITIONS_BY_FEATURES ? 2 : 1);
    }

    /**
     * The values as {@code [rows, R, D]}: the stack itself, or a C-order transposed copy.
     *
     * @return {@link #values()} when already positions by features, otherwise a new array
     */
    public INDArray positionsLast() {
        return orientation == Orientation.POSITIONS_BY_FEATURES ? values : values.permute(0, 2, 1).dup('c');
    }

    /**
     * The sum over positions, {@code [rows, D]}, in the values' type; a view of the values for one position.
     *
     * @return the per-row sums over positions, {@code [rows, D]}
     */
    public INDArray sumOverPositions() {
        if (positions() == 1) {
            return values.reshape(rows(), features());
        }
        return values.sum(orientation == Orientation.POSITIONS_BY_FEATURES ? 1 : 2);
    }
}
