package io.kronlaplace.linalg;

import io.kronlaplace.nn.Tensors;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major OpenBLAS GEMM on blocks of dense arrays addressed by element offset and leading dimension:
 * {@code C = alpha op(A) op(B) + beta C} where each operand is a matrix inside a C-order buffer (a row block, or
 * every k-th row block of a stack), so products over sub-matrices run without copying them out or relying on how
 * ND4J treats strided views. OpenBLAS splits a product over output rows and columns only, never along the summed
 * axis, so results are bitwise the same on any number of threads.
 */
public final class StridedGemm {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private StridedGemm() {
    }

    /**
     * One row-major GEMM on blocks of three dense buffers of one type (float32 or float64).
     *
     * @param transA  whether A is stored as {@code k x m} (read transposed)
     * @param transB  whether B is stored as {@code n x k} (read transposed)
     * @param m       rows of op(A) and C
     * @param n       columns of op(B) and C
     * @param k       the summed dimension
     * @param alpha   scale of the product
     * @param a       the buffer holding A (dense, C order)
     * @param aOffset element of {@code a} where A starts
     * @param lda     elements between consecutive stored rows of A
     * @param b       the buffer holding B (dense, C order)
     * @param bOffset element of {@code b} where B starts
     * @param ldb     elements between consecutive stored rows of B
     * @param beta    scale of C's old values (0 ignores them)
     * @param c       the buffer holding C (dense, C order); written
     * @param cOffset element of {@code c} where C starts
     * @param ldc     elements between consecutive rows of C
     * @throws IllegalArgumentException when the types differ or are not float32/float64, a buffer is not dense, a
     *                                  leading dimension is shorter than its rows, or a block reaches past its buffer
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, INDArray a,
                            long aOffset, int lda, INDArray b, long bOffset, int ldb, double beta, INDArray c,
                            long cOffset, int ldc) {
        DataType type = c.dataType();
        if (a.dataType() != type || b.dataType() != type || type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("GEMM operands must all be float32 or all float64, got "
                    + a.dataType() + ", " + b.dataType() + ", " + type);
        }
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("GEMM sizes must be non-negative, got m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        requireBlock("A", a, aOffset, lda, transA ? k : m, transA ? m : k);
        requireBlock("B", b, bOffset, ldb, transB ? n : k, transB ? k : n);
        requireBlock("C", c, cOffset, ldc, m, n);
        int ta = transA ? TRANS : NO_TRANS;
        int tb = transB ? TRANS : NO_TRANS;
        if (type == DataType.DOUBLE) {
            openblas_nolapack.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, alpha,
                    new DoublePointer(a.data().addressPointer()).position(aOffset), lda,
                    new DoublePointer(b.data().addressPointer()).position(bOffset), ldb, beta,
                    new DoublePointer(c.data().addressPointer()).position(cOffset), ldc);
        } else {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, (float) alpha,
                    new FloatPointer(a.data().addressPointer()).position(aOffset), lda,
                    new FloatPointer(b.data().addressPointer()).position(bOffset), ldb, (float) beta,
                    new FloatPointer(c.data().addressPointer()).position(cOffset), ldc);
        }
    }

    /** A stored {@code rows x columns} block with leading dimension ld must lie inside x's dense buffer. */
    private static void requireBlock(String name, INDArray x, long offset, int ld, int rows, int columns) {
        if (!Tensors.isDenseBuffer(x)) {
            throw new IllegalArgumentException("GEMM operand " + name + " must be a dense C-order buffer, got a view "
                    + "with offset " + x.offset() + " of shape " + java.util.Arrays.toString(x.shape()));
        }
        long last = offset + (long) (rows - 1) * ld + columns - 1;
        if (offset < 0 || ld < Math.max(1, columns) || rows > 0 && columns > 0 && last >= x.length()) {
            throw new IllegalArgumentException("GEMM operand " + name + ": a " + rows + " x " + columns + " block at "
                    + "element " + offset + " with leading dimension " + ld + " does not fit a buffer of " + x.length()
                    + " elements");
        }
    }
}
