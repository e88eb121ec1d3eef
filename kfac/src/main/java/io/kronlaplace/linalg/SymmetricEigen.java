package io.kronlaplace.linalg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float64 eigendecomposition of real symmetric matrices (Kronecker factors, dense curvature blocks) with a choice of
 * backend. Only the lower triangle of the input is read by the LAPACK backends; the input is never modified. This is
 * the eigendecomposition part of {@link CpuKernels}: the curvature code reaches it through {@link ComputeKernels}, and
 * only solver comparisons call it directly.
 *
 * <p>The default, {@link Backend#LAPACKE_SYEVD}, is the divide-and-conquer solver of the pinned OpenBLAS: measured
 * several times faster than QR-iteration {@code syev} for the 576..2304-dimensional factors of a Wide ResNet.
 *
 * <p>{@link #decomposeAll} decomposes independent matrices (the factors of different layers) {@link #parallelism()} at
 * a time, largest first, with one OpenBLAS thread each: on the 2-core build machine two threads per matrix made
 * {@code dsyevd} many times slower whenever other processes kept the cores busy (OpenBLAS's threads spin while
 * waiting for each other), and giving the largest factors both threads in turn did not beat one thread per matrix in
 * the WRN-16-4 factor benchmark. {@link #decomposeAll} runs in an {@link OpenBlasThreads#singleThreaded()} section; a
 * single {@link #decompose} runs with whatever count is in effect.
 */
public final class SymmetricEigen {
    /** Which solver computes the decomposition. */
    public enum Backend {
        /** LAPACK divide and conquer ({@code LAPACKE_dsyevd}) from the pinned {@code org.bytedeco.openblas}. */
        LAPACKE_SYEVD,
        /** ND4J's {@code Eigen.symmetricGeneralizedEigenvalues}: LAPACK {@code dsyev} (QR iteration). */
        ND4J_SYEV,
        /** EJML's pure-Java symmetric QR algorithm: slow for large n, no native code involved. */
        EJML
    }

    private SymmetricEigen() {
    }

    /**
     * Workers {@link #decomposeAll} uses: {@code OMP_NUM_THREADS} when set to a positive number, else the number of
     * available processors.
     *
     * @return the most matrices {@link #decomposeAll} decomposes at once, at least 1
     */
    public static int parallelism() {
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp != null) {
            try {
                int n = Integer.parseInt(omp.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // not a number: fall back to the processor count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Decomposes several matrices with the default backend, up to {@link #parallelism()} at a time with one OpenBLAS
     * thread each, largest first; each worker keeps one {@code dsyevd} workspace for all the matrices it takes
     * (docs/compute-kernels.md). OpenBLAS's thread count is restored when this returns; concurrent calls run one
     * after the other.
     *
     * @param matrices square symmetric matrices of any floating type, not modified
     * @return the decompositions in the order of the input list
     * @throws IllegalArgumentException or IllegalStateException as {@link #decompose(INDArray)} for the first
     *                                  matrix that fails
     */
    @SuppressWarnings("try") // the single-threaded section is held for its effect only
    public static List<Eigendecomposition> decomposeAll(List<INDArray> matrices) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < matrices.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong((Integer i) -> -matrices.get(i).length()));
        Eigendecomposition[] out = new Eigendecomposition[matrices.size()];
        try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
            decomposeInParallel(matrices, order, Math.min(parallelism(), matrices.size()), out);
        }
        return Arrays.asList(out);
    }

    private static void decomposeInParallel(List<INDArray> matrices, List<Integer> order, int workers,
                                            Eigendecomposition[] out) {
        AtomicInteger next = new AtomicInteger();
        if (workers <= 1) {
            decomposeQueued(matrices, order, next, out);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "symmetric-eigen");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> decomposeQueued(matrices, order, next, out)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decomposing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One worker of {@link #decomposeAll}: takes the next matrix in {@code order} until none is left, all in one
     * workspace sized by the first (largest) one it takes. A failure stops the other workers at their next matrix.
     */
    private static void decomposeQueued(List<INDArray> matrices, List<Integer> order, AtomicInteger next,
                                        Eigendecomposition[] out) {
        SyevdWorkspace workspace = null;
        try {
            for (int k = next.getAndIncrement(); k < order.size(); k = next.getAndIncrement()) {
                INDArray m = matrices.get(order.get(k));
                int n = KernelOperands.requireSymmetricInput(m);
                if (workspace == null) {
                    workspace = new SyevdWorkspace(n);
                }
                out[order.get(k)] = workspace.decompose(m, n);
            }
        } catch (RuntimeException e) {
            next.set(order.size());
            throw e;
        } finally {
            if (workspace != null) {
                workspace.close();
            }
        }
    }

    /**
     * The backend {@link #decompose(INDArray)} uses.
     *
     * @return {@link Backend#LAPACKE_SYEVD}
     */
    public static Backend defaultBackend() {
        return Backend.LAPACKE_SYEVD;
    }

    /**
     * Decomposes a square symmetric matrix with the default backend.
     *
     * @param symmetric n x n matrix (any floating type; computed in float64; not modified)
     * @return ascending eigenvalues and eigenvectors in columns, float64
     * @throws IllegalArgumentException when the input is not square or holds NaN or infinite values
     * @throws IllegalStateException    when the solver fails to converge
     */
    public static Eigendecomposition decompose(INDArray symmetric) {
        return decompose(symmetric, defaultBackend());
    }

    /**
     * Decomposes a square symmetric matrix.
     *
     * @param symmetric n x n matrix (any floating type; computed in float64; not modified)
     * @param backend   the solver
     * @return ascending eigenvalues and eigenvectors in columns, float64
     * @throws IllegalArgumentException when the input is not square or holds NaN or infinite values
     * @throws IllegalStateException    when the solver fails to converge
     */
    public static Eigendecomposition decompose(INDArray symmetric, Backend backend) {
        int n = KernelOperands.requireSymmetricInput(symmetric);
        return switch (backend) {
            case LAPACKE_SYEVD -> syevd(symmetric, n);
            case ND4J_SYEV -> nd4j(symmetric);
            case EJML -> ejml(symmetric, n);
        };
    }

    private static Eigendecomposition syevd(INDArray symmetric, int n) {
        try (SyevdWorkspace workspace = new SyevdWorkspace(n)) {
            return workspace.decompose(symmetric, n);
        }
    }

    private static Eigendecomposition nd4j(INDArray symmetric) {
        INDArray v = symmetric.castTo(DataType.DOUBLE).dup('c');
        INDArray w;
        try {
            w = Eigen.symmetricGeneralizedEigenvalues(v, true);
        } catch (RuntimeException e) {
            throw new IllegalStateException("ND4J syev failed on a " + v.size(0) + " x " + v.size(0) + " matrix: "
                    + e.getMessage(), e);
        }
        return new Eigendecomposition(w.reshape(w.length()).castTo(DataType.DOUBLE), v);
    }

    private static Eigendecomposition ejml(INDArray symmetric, int n) {
        DMatrixRMaj a = new DMatrixRMaj(n, n, true, symmetric.castTo(DataType.DOUBLE).dup('c').data().asDouble());
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(a)) {
            throw new IllegalStateException("EJML symmetric eigendecomposition failed on a " + n + " x " + n
                    + " matrix");
        }
        Integer[] order = new Integer[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            values[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
        double[] w = new double[n];
        double[] v = new double[n * n];
        for (int col = 0; col < n; col++) {
            int src = order[col];
            w[col] = values[src];
            DMatrixRMaj vec = eig.getEigenVector(src);
            for (int row = 0; row < n; row++) {
                v[row * n + col] = vec.get(row, 0);
            }
        }
        return new Eigendecomposition(Nd4j.createFromArray(w), Nd4j.create(v, new long[] {n, n}, 'c'));
    }
}
