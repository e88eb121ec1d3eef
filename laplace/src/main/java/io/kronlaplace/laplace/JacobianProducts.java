package io.kronlaplace.laplace;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        // copy-major rows c * N + n: as C x N x D, example n is the block [:, n, :]; brought to N x C x D, all
        // examples' C x C products run as one batched matrix product instead of N small ones
        INDArray xn = x.reshape('c', outputs, examples, d).permute(1, 0, 2).dup('c');
        INDArray yn = y.reshape('c', outputs, examples, d).permute(1, 0, 2).dup('c');
        out.addi(Nd4j.matmul(xn, yn, false, true, false));
    }
}
