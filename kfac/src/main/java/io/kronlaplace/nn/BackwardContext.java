package io.kronlaplace.nn;

/**
 * Options of one backward pass: whether parameter gradients are accumulated, how many back-propagated vectors each
 * example carries, and an optional tap that sees each weight layer's input and output gradient.
 *
 * <p>With {@code copies = k > 1} the output gradient has {@code k * N} rows, copy-major (row {@code c * N + n}): the
 * backward pass is linear in the gradient, so k vectors per example (the C columns of a loss-Hessian square root
 * for the exact GGN, or k Monte-Carlo samples) go through one backward pass without k forward passes.
 */
public record BackwardContext(boolean parameterGradients, int copies, GradientTap tap) {

    /**
     * Checks the options.
     *
     * @param parameterGradients whether backward adds parameter gradients to {@link Parameter#grad()}
     * @param copies             back-propagated vectors per example, at least 1
     * @param tap                sees each weight layer's input and output gradient; null for none
     * @throws IllegalArgumentException if {@code copies < 1}, or if parameter gradients are requested with more than
     *                                  one copy
     */
    public BackwardContext {
        if (copies < 1) {
            throw new IllegalArgumentException("copies must be >= 1, got " + copies);
        }
        if (copies > 1 && parameterGradients) {
            throw new IllegalArgumentException(
                    "parameter gradients are defined for one back-propagated vector per example, got copies=" + copies);
        }
    }

    /**
     * An ordinary training backward pass: one gradient per example, parameter gradients accumulated.
     *
     * @return a context with parameter gradients, one copy and no tap
     */
    public static BackwardContext training() {
        return new BackwardContext(true, 1, null);
    }

    /**
     * A curvature pass: k vectors per example go through, only the tap reads them; no parameter gradients.
     *
     * @param copies back-propagated vectors per example (k), at least 1
     * @param tap    reads each weight layer's input and output gradients; null for none
     * @return a context without parameter gradients
     * @throws IllegalArgumentException if {@code copies < 1}
     */
    public static BackwardContext curvature(int copies, GradientTap tap) {
        return new BackwardContext(false, copies, tap);
    }

    /**
     * Calls the tap, if any, with this context's number of copies.
     *
     * @param layer      the weight layer about to compute its input gradient
     * @param input      the layer's cached forward input, N rows
     * @param gradOutput the vectors back-propagated to the layer's output, {@code copies * N} rows, copy-major
     */
    public void observe(WeightLayer layer, org.nd4j.linalg.api.ndarray.INDArray input,
                        org.nd4j.linalg.api.ndarray.INDArray gradOutput) {
        if (tap != null) {
            tap.observe(layer, input, gradOutput, copies);
        }
    }
}
