package io.kronlaplace.optim;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A copy of an optimiser's mutable state, for checkpoints: the number of updates done and its per-array buffers
 * (momentum, moments, scratch) in a fixed order. Restoring it into an optimiser built with the same options and
 * stepped over the same arrays continues the run exactly.
 *
 * @param steps   updates done so far
 * @param buffers copies of the buffers, array-major (all buffers of array 0, then of array 1, ...); empty before the
 *                first step
 */
public record OptimizerSnapshot(long steps, List<INDArray> buffers) {
    /**
     * Validates the step count and copies the buffer list.
     *
     * @param steps   updates done so far, &gt;= 0
     * @param buffers the buffers in array-major order; the list is copied, the arrays are not
     * @throws IllegalArgumentException when steps is negative
     * @throws NullPointerException     when the list or one of its arrays is null
     */
    public OptimizerSnapshot {
        if (steps < 0) {
            throw new IllegalArgumentException("optimiser steps must be >= 0, got " + steps);
        }
        buffers = List.copyOf(buffers);
    }
}
