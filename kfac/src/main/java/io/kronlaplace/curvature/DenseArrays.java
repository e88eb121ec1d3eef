package io.kronlaplace.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major layout tests for arrays handed to native code as raw pointers. ND4J flags every reshape as a view, also
 * the ones that cover their whole buffer in C order, so {@code isView()} alone would copy them needlessly.
 */
final class DenseArrays {
    private DenseArrays() {
    }

    /** Whether x covers its whole buffer from offset 0 with C-order strides. */
    static boolean isDenseC(INDArray x) {
        if (x.offset() != 0 || x.length() != x.data().length()) {
            return false;
        }
        long expected = 1;
        for (int d = x.rank() - 1; d >= 0; d--) {
            if (x.size(d) != 1 && x.stride(d) != expected) {
                return false;
            }
            expected *= x.size(d);
        }
        return true;
    }

    /** x itself when {@link #isDenseC dense}, else a C-order copy. */
    static INDArray denseC(INDArray x) {
        return isDenseC(x) ? x : x.dup('c');
    }
}
