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
        long d = x.size(1);
        // copy-major rows c * N + n: as C x N x D, example n is the strided view [:, n, :]
        INDArray x3 = x.dup('c').reshape(outputs, examples, d);
        INDArray y3 = y.dup('c').reshape(outputs, examples, d);
        for (int n = 0; n < examples; n++) {
            INDArray xn = x3.get(NDArrayIndex.all(), NDArrayIndex.point(n), NDArrayIndex.all());
            INDArray yn = y3.get(NDArrayIndex.all(), NDArrayIndex.point(n), NDArrayIndex.all());
            out.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all()).addi(xn.mmul(yn.transpose()));
        }
    }
}
