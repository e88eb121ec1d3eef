package io.kronlaplace.linalg;

import io.kronlaplace.nn.Tensors;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gram-matrix updates {@code C = beta C + M^T M} (or {@code M M^T}) by BLAS {@code ?syrk}, which computes one triangle
 * and so half the products of a GEMM. Only the upper triangle of the C-order target (entries i &lt;= j) is written;
 * {@link #mirrorUpper} fills the lower one when the matrix is read. Calls go to the OpenBLAS that ND4J's own GEMM
 * uses: long updates run with its thread setting, short ones on one thread ({@link #singleThreaded}). (ND4J's
 * {@code Level3.syrk} wrapper passes a wrong leading dimension for transposed views and crashes inside OpenBLAS, hence
 * the direct call.) The rank-update part of {@link CpuKernels}.
 */
final class SymmetricRankUpdate {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final int UPPER = 121;
    private static final int MIRROR_BLOCK = 64;
    /** n * n * k from which an update keeps OpenBLAS's thread count: about 0.2 s of one core's float64 work. */
    private static final long MULTI_THREAD_MIN_PRODUCTS = 1L << 33;

    private SymmetricRankUpdate() {
    }

    /**
     * Upper triangle of {@code target = beta * target + rows^T rows} for rows {@code [M, D]}, target {@code [D, D]}.
     */
    static void addTransposeProduct(INDArray rows, INDArray target, double beta) {
        KernelOperands.requireRankUpdateOperands(rows, target);
        int d = Math.toIntExact(rows.size(1));
        KernelOperands.requireSquareTarget(target, d);
        int m = Math.toIntExact(rows.size(0));
        onThreadsFor(d, m, () -> syrkOnCurrentThreads(TRANS, d, m, rows, 0, d, target, beta));
    }

    /**
     * Upper triangle of {@code target = beta * target + sum_n M_n M_n^T} over the matrices M_n {@code [D, R]} of a
     * stack {@code [N, D, R]}, target {@code [D, D]}: one SYRK per matrix, all on the thread count the whole sum's
     * size asks for. Deciding per matrix put K-FAC-expand's Grams of a Wide ResNet (each example a short update, the
     * sum a long one) on one thread: its factors took 2.9-3.2 s instead of 2.1-2.3 s at batch 128 on 2 cores.
     */
    static void addProductsOf(INDArray stack, INDArray target, double beta) {
        KernelOperands.requireRankUpdateOperands(stack, target);
        KernelOperands.requireStack(stack);
        int d = Math.toIntExact(stack.size(1));
        int r = Math.toIntExact(stack.size(2));
        long count = stack.size(0);
        KernelOperands.requireSquareTarget(target, d);
        onThreadsFor(d, count * r, () -> {
            for (long i = 0; i < count; i++) {
                syrkOnCurrentThreads(NO_TRANS, d, r, stack, i * d * r, r, target, i == 0 ? beta : 1.0);
            }
        });
    }

    /** Copies the upper triangle of a square C-order float64 matrix onto its lower triangle, in place. */
    static INDArray mirrorUpper(INDArray square) {
        if (square.dataType() != DataType.DOUBLE || !Tensors.isDenseBuffer(square) || square.rank() != 2
                || square.size(0) != square.size(1)) {
            throw new IllegalArgumentException("mirrorUpper needs a dense C-order square float64 matrix, got "
                    + square.dataType() + " " + square.ordering() + " " + Arrays.toString(square.shape()));
        }
        int n = Math.toIntExact(square.size(0));
        DoubleBuffer a = square.data().asNioDouble();
        // blocks keep both the rows read and the columns written in cache
        for (int bi = 0; bi < n; bi += MIRROR_BLOCK) {
            for (int bj = 0; bj <= bi; bj += MIRROR_BLOCK) {
                int iEnd = Math.min(n, bi + MIRROR_BLOCK);
                for (int i = bi; i < iEnd; i++) {
                    int jEnd = Math.min(i, bj + MIRROR_BLOCK);
                    for (int j = bj; j < jEnd; j++) {
                        a.put(i * n + j, a.get(j * n + i));
                    }
                }
            }
        }
        return square;
    }

    /**
     * Whether a {@code n x n} update of rank {@code k} runs on one OpenBLAS thread: all but the long ones, where the
     * workers' post-call spin (see {@link OpenBlasThreads}) is small next to the time that more threads save. The
     * K-FAC-reduce updates of a Wide ResNet (n up to 2304, k = batch) are short; expand's Gram over all positions of a
     * batch (k = batch x positions) is long.
     */
    static boolean singleThreaded(long n, long k) {
        return n * n * k < MULTI_THREAD_MIN_PRODUCTS;
    }

    /** Runs an update of total size n x n x k on the thread count {@link #singleThreaded} chooses for it. */
    @SuppressWarnings("try") // the single-threaded section is held for its effect only
    private static void onThreadsFor(long n, long k, Runnable update) {
        if (!singleThreaded(n, k)) {
            update.run();
            return;
        }
        try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
            update.run();
        }
    }

    private static void syrkOnCurrentThreads(int trans, int n, int k, INDArray a, long aOffset, int lda, INDArray c,
                                             double beta) {
        if (a.dataType() == DataType.DOUBLE) {
            DoublePointer pa = new DoublePointer(a.data().addressPointer()).position(aOffset);
            openblas_nolapack.cblas_dsyrk(ROW_MAJOR, UPPER, trans, n, k, 1.0, pa, lda, beta,
                    new DoublePointer(c.data().addressPointer()), n);
        } else {
            FloatPointer pa = new FloatPointer(a.data().addressPointer()).position(aOffset);
            openblas_nolapack.cblas_ssyrk(ROW_MAJOR, UPPER, trans, n, k, 1.0f, pa, lda, (float) beta,
                    new FloatPointer(c.data().addressPointer()), n);
        }
    }
}
