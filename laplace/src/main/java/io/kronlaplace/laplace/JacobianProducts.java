package io.kronlaplace.laplace;

import io.kronlaplace.linalg.StridedGemm;
import io.kronlaplace.nn.Tensors;
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

    /**
     * For each example n adds X_n X_n^T to {@code out[n]}, where X_n is the {@code C x D} block n of the
     * example-major stack x ({@code [N, C, D]}, float64).
     *
     * @param x   the example-major rows, {@code [N, C, D]}, float64
     * @param out {@code [N, C, C]}, float64, dense; added to
     */
    static void addGramsByExample(INDArray x, INDArray out) {
        INDArray rows = Tensors.denseBuffer(x);
        int examples = Math.toIntExact(rows.size(0));
        int c = Math.toIntExact(rows.size(1));
        int d = Math.toIntExact(rows.size(2));
        for (int n = 0; n < examples; n++) {
            long block = (long) n * c * d;
            StridedGemm.gemm(false, true, c, c, d, 1.0, rows, block, d, rows, block, d, 1.0, out, (long) n * c * c, c);
        }
    }
}
