package io.kronlaplace.linalg;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The native memory one thread's {@code dsyevd} calls work in: a column-major copy of the matrix and LAPACK's
 * workspace, sized for matrices up to a given order and kept across calls.
 *
 * <p>Why: {@code LAPACKE_dsyevd} allocates both anew on every call, about 3 n^2 float64 values (127 MB at n = 2304),
 * and writing freshly mapped memory costs page faults that were a tenth of a 2304 x 2304 decomposition's time on the
 * build machine. Reusing one workspace across the factors {@link SymmetricEigen#decomposeAll} gives a worker removes
 * that cost for all but its first factor. The steps are those {@code LAPACKE_dsyevd} takes for a row-major matrix
 * (transpose its lower triangle, {@code dsyevd} in column-major order, transpose the eigenvectors back), so the
 * results are the same to the last bit.
 */
final class SyevdWorkspace implements AutoCloseable {
    private static final int LAPACK_ROW_MAJOR = 101;
    private static final int LAPACK_COL_MAJOR = 102;

    private final int capacity;
    private final DoublePointer columnMajor;
    private final DoublePointer work;
    private final IntPointer intWork;
    private final DoublePointer values;

    /**
     * Allocates the workspace.
     *
     * @param capacity largest matrix order it will decompose, at least 1
     */
    SyevdWorkspace(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("workspace capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.columnMajor = new DoublePointer((long) capacity * capacity);
        this.values = new DoublePointer(capacity);
        int[] sizes = workSizes(capacity);
        this.work = new DoublePointer(sizes[0]);
        this.intWork = new IntPointer(sizes[1]);
    }

    /**
     * LAPACK's workspace sizes for one order. A call passes exactly these, not the whole workspace: for small n
     * {@code dormtr} picks its blocking by the size it is given, and the results would differ in the last bits from
     * {@code LAPACKE_dsyevd}'s.
     */
    private int[] workSizes(int n) {
        try (DoublePointer workSize = new DoublePointer(1); IntPointer intWorkSize = new IntPointer(1)) {
            int info = openblas.LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, (byte) 'V', (byte) 'L', n, columnMajor, n,
                    values, workSize, -1, intWorkSize, -1);
            if (info != 0) {
                throw new IllegalStateException("LAPACKE_dsyevd workspace query failed for n=" + n + " (info="
                        + info + ")");
            }
            return new int[] {(int) workSize.get(0), intWorkSize.get(0)};
        }
    }

    /**
     * Decomposes a matrix of order at most the workspace's capacity, reading its lower triangle.
     *
     * @param symmetric n x n matrix of any floating type, not modified
     * @param n         its order
     * @return ascending eigenvalues and eigenvectors in the columns of a new row-major array, float64
     * @throws IllegalStateException when LAPACK fails to converge
     */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    Eigendecomposition decompose(INDArray symmetric, int n) {
        if (n > capacity) {
            throw new IllegalArgumentException("a " + n + " x " + n + " matrix exceeds this workspace's capacity "
                    + capacity);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray rowMajor = symmetric.castTo(DataType.DOUBLE);
            if (rowMajor.isView() || rowMajor.ordering() != 'c') {
                rowMajor = rowMajor.dup('c');
            }
            DoublePointer source = new DoublePointer(rowMajor.data().addressPointer());
            openblas.LAPACKE_dsy_trans(LAPACK_ROW_MAJOR, (byte) 'L', n, source, n, columnMajor, n);
            int[] sizes = workSizes(n);
            int info = openblas.LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, (byte) 'V', (byte) 'L', n, columnMajor, n,
                    values, work, sizes[0], intWork, sizes[1]);
            if (info != 0) {
                throw new IllegalStateException("LAPACKE_dsyevd failed on a " + n + " x " + n + " matrix (info="
                        + info + (info > 0 ? ": no convergence)" : ": illegal argument)"));
            }
            INDArray vectors = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {n, n}, 'c');
            openblas.LAPACKE_dge_trans(LAPACK_COL_MAJOR, n, n, columnMajor, n,
                    new DoublePointer(vectors.data().addressPointer()), n);
            double[] w = new double[n];
            values.get(w);
            return new Eigendecomposition(Nd4j.createFromArray(w), vectors);
        }
    }

    @Override
    public void close() {
        columnMajor.close();
        work.close();
        intWork.close();
        values.close();
    }
}
