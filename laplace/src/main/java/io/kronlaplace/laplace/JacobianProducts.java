package io.kronlaplace.laplace;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Per-example Gram products of copy-major Jacobian rows. */
final class JacobianProducts {
    private JacobianProducts() {
    }

    /**
     * For each example n adds X_n Y_n^T to {@code out[n]}, where X_n and Y_n are the C rows {@code c * N + n} of
     * x and y ({@code C * N x D}, copy-major).
     */
    static void addWeightedGram(INDArray x, INDArray y, int examples, int outputs, INDArray out) {
        long[] rows = new long[outputs];
        for (int n = 0; n < examples; n++) {
            for (int c = 0; c < outputs; c++) {
                rows[c] = (long) c * examples + n;
            }
            INDArray xn = x.get(NDArrayIndex.indices(rows), NDArrayIndex.all());
            INDArray yn = y.get(NDArrayIndex.indices(rows), NDArrayIndex.all());
            out.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all()).addi(xn.mmul(yn.transpose()));
        }
    }
}
