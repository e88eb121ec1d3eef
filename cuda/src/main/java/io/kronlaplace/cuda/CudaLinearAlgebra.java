package io.kronlaplace.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_FILL_MODE_LOWER;
import static org.bytedeco.cuda.global.cublas.CUBLAS_FILL_MODE_UPPER;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cusolver.CUSOLVER_EIG_MODE_VECTOR;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cusolver.cusolverDnContext;
import org.bytedeco.cuda.cusolver.syevjInfo;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cusolver;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The curvature linear algebra on a CUDA device, on host memory given as JavaCPP pointers or plain Java arrays (no ND4J
 * involved): cuBLAS SYRK into the upper triangle, GEMM with transposes, and cuSOLVER float64 symmetric
 * eigendecompositions ({@code syevd}, and {@code syevjBatched} for batches of small matrices). Every operation copies
 * its operands to the device, runs there and copies the result back before it returns.
 *
 * <p>All matrices are row-major (C order), as in the rest of the project. cuBLAS and cuSOLVER are column-major: a
 * row-major {@code r x c} matrix is the column-major {@code c x r} matrix of its transpose with leading dimension c,
 * so each call is translated instead of copying (the translations are spelled out in docs/gpu.md, section
 * "Row-major operands on column-major libraries").
 *
 * <p>Device buffers, the cuBLAS and cuSOLVER handles and the host scalars are owned by the instance and reused; the
 * buffers grow to the largest operands seen and never shrink. Operations are synchronized on the instance, so one
 * instance may be shared by threads (they take turns on the device). Obtain one with {@link #open()} (owned by the
 * caller, released by {@link #close()}) or {@link #shared()} (lives as long as the process).
 */
public final class CudaLinearAlgebra implements AutoCloseable {
    /** Largest order for which cuSOLVER's batched Jacobi solver accepts matrices. */
    static final int BATCHED_JACOBI_MAX_ORDER = 32;

    private static CudaLinearAlgebra shared;

    private final cublasContext blas = new cublasContext();
    private final cusolverDnContext solver = new cusolverDnContext();
    private final DeviceBuffer left = new DeviceBuffer("left operand");
    private final DeviceBuffer right = new DeviceBuffer("right operand");
    private final DeviceBuffer result = new DeviceBuffer("result");
    private final DeviceBuffer workspace = new DeviceBuffer("solver workspace");
    private final DeviceBuffer eigenvalues = new DeviceBuffer("eigenvalues");
    private final DeviceBuffer solverInfo = new DeviceBuffer("solver info");
    private final DoublePointer alpha64 = new DoublePointer(1);
    private final DoublePointer beta64 = new DoublePointer(1);
    private final FloatPointer alpha32 = new FloatPointer(1);
    private final FloatPointer beta32 = new FloatPointer(1);
    private final IntPointer hostInt = new IntPointer(1);
    private boolean closed;

    private CudaLinearAlgebra() {
        CudaStatus.checkBlas(cublas.cublasCreate_v2(blas), "cublasCreate");
        CudaStatus.checkSolver(cusolver.cusolverDnCreate(solver), "cusolverDnCreate");
    }

    /**
     * A new instance on the current CUDA device, owned by the caller.
     *
     * @return a new instance; close it when done
     * @throws IllegalStateException when no CUDA device is usable here ({@link CudaDevice#detect()} says why)
     */
    public static CudaLinearAlgebra open() {
        CudaDevice device = CudaDevice.detect();
        if (!device.available()) {
            throw new IllegalStateException("no CUDA device: " + device.description());
        }
        return new CudaLinearAlgebra();
    }

    /**
     * The process-wide instance, opened on first use and never closed.
     *
     * @return the shared instance
     * @throws IllegalStateException when no CUDA device is usable here
     */
    public static synchronized CudaLinearAlgebra shared() {
        if (shared == null) {
            shared = open();
        }
        return shared;
    }

    // ---------------------------------------------------------------- SYRK

    /**
     * Upper triangle of {@code target = beta * target + rows^T rows} for row-major {@code rows} (m x d) and
     * {@code target} (d x d); the strict lower triangle of the target is left as it was.
     *
     * @param rows   row-major m x d input, m * d values
     * @param m      rows of {@code rows}
     * @param d      columns of the input: the target is d x d
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public synchronized void addTransposeProductUpper(DoublePointer rows, int m, int d, DoublePointer target,
                                                      double beta) {
        syrk(Precision.FLOAT64, true, rows, m, d, target, beta);
    }

    /**
     * {@link #addTransposeProductUpper(DoublePointer, int, int, DoublePointer, double)} in float32.
     *
     * @param rows   row-major m x d input, m * d values
     * @param m      rows of {@code rows}
     * @param d      columns of the input: the target is d x d
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public synchronized void addTransposeProductUpper(FloatPointer rows, int m, int d, FloatPointer target,
                                                      double beta) {
        syrk(Precision.FLOAT32, true, rows, m, d, target, beta);
    }

    /**
     * {@link #addTransposeProductUpper(DoublePointer, int, int, DoublePointer, double)} on Java arrays.
     *
     * @param rows   row-major m x d input, m * d values
     * @param m      rows of {@code rows}
     * @param d      columns of the input: the target is d x d
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public void addTransposeProductUpper(double[] rows, int m, int d, double[] target, double beta) {
        requireLength(rows, (long) m * d, "rows");
        requireLength(target, (long) d * d, "target");
        try (DoublePointer a = new DoublePointer(rows); DoublePointer c = new DoublePointer(target)) {
            addTransposeProductUpper(a, m, d, c, beta);
            c.get(target);
        }
    }

    /**
     * {@link #addTransposeProductUpper(DoublePointer, int, int, DoublePointer, double)} on float32 Java arrays.
     *
     * @param rows   row-major m x d input, m * d values
     * @param m      rows of {@code rows}
     * @param d      columns of the input: the target is d x d
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public void addTransposeProductUpper(float[] rows, int m, int d, float[] target, double beta) {
        requireLength(rows, (long) m * d, "rows");
        requireLength(target, (long) d * d, "target");
        try (FloatPointer a = new FloatPointer(rows); FloatPointer c = new FloatPointer(target)) {
            addTransposeProductUpper(a, m, d, c, beta);
            c.get(target);
        }
    }

    /**
     * Upper triangle of {@code target = beta * target + M M^T} for a row-major {@code matrix} M (d x r) and
     * {@code target} (d x d); the strict lower triangle of the target is left as it was.
     *
     * @param matrix row-major d x r input M, d * r values
     * @param d      columns of the input: the target is d x d
     * @param r      columns of M
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public synchronized void addProductOfUpper(DoublePointer matrix, int d, int r, DoublePointer target,
                                               double beta) {
        syrk(Precision.FLOAT64, false, matrix, r, d, target, beta);
    }

    /**
     * {@link #addProductOfUpper(DoublePointer, int, int, DoublePointer, double)} in float32.
     *
     * @param matrix row-major d x r input M, d * r values
     * @param d      columns of the input: the target is d x d
     * @param r      columns of M
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public synchronized void addProductOfUpper(FloatPointer matrix, int d, int r, FloatPointer target, double beta) {
        syrk(Precision.FLOAT32, false, matrix, r, d, target, beta);
    }

    /**
     * {@link #addProductOfUpper(DoublePointer, int, int, DoublePointer, double)} on Java arrays.
     *
     * @param matrix row-major d x r input M, d * r values
     * @param d      columns of the input: the target is d x d
     * @param r      columns of M
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public void addProductOfUpper(double[] matrix, int d, int r, double[] target, double beta) {
        requireLength(matrix, (long) d * r, "matrix");
        requireLength(target, (long) d * d, "target");
        try (DoublePointer a = new DoublePointer(matrix); DoublePointer c = new DoublePointer(target)) {
            addProductOfUpper(a, d, r, c, beta);
            c.get(target);
        }
    }

    /**
     * {@link #addProductOfUpper(DoublePointer, int, int, DoublePointer, double)} on float32 Java arrays.
     *
     * @param matrix row-major d x r input M, d * r values
     * @param d      columns of the input: the target is d x d
     * @param r      columns of M
     * @param target row-major d x d accumulator; only its upper triangle is written
     * @param beta   factor of the old target (0 ignores its contents)
     */
    public void addProductOfUpper(float[] matrix, int d, int r, float[] target, double beta) {
        requireLength(matrix, (long) d * r, "matrix");
        requireLength(target, (long) d * d, "target");
        try (FloatPointer a = new FloatPointer(matrix); FloatPointer c = new FloatPointer(target)) {
            addProductOfUpper(a, d, r, c, beta);
            c.get(target);
        }
    }

    /**
     * One SYRK on host operands. {@code transposeProduct}: the operand is {@code k x d} row-major and the product is
     * its {@code A^T A}; otherwise the operand is {@code d x k} row-major and the product is {@code A A^T}. The
     * column-major view of the row-major target's upper triangle is the lower one, hence the fill mode.
     */
    private void syrk(Precision precision, boolean transposeProduct, Pointer host, int k, int d, Pointer target,
                      double beta) {
        requireOpen();
        requireDimensions(k, d);
        long operandElements = (long) k * d;
        long targetElements = (long) d * d;
        requireCapacity(host, operandElements, "operand");
        requireCapacity(target, targetElements, "target");
        Pointer a = upload(left, host, operandElements, precision);
        Pointer c = upload(result, target, targetElements, precision);
        // row-major (k x d) is column-major X = A^T (d x k): A^T A = X X^T, no transpose, lda = d.
        // row-major (d x k) is column-major Y = A^T (k x d): A A^T = Y^T Y, transpose, lda = k.
        int trans = transposeProduct ? CUBLAS_OP_N : CUBLAS_OP_T;
        int lda = transposeProduct ? d : k;
        if (precision == Precision.FLOAT64) {
            alpha64.put(1.0);
            beta64.put(beta);
            CudaStatus.checkBlas(cublas.cublasDsyrk_v2(blas, CUBLAS_FILL_MODE_LOWER, trans, d, k, alpha64,
                    new DoublePointer(a), lda, beta64, new DoublePointer(c), d), "cublasDsyrk");
        } else {
            alpha32.put(1.0f);
            beta32.put((float) beta);
            CudaStatus.checkBlas(cublas.cublasSsyrk_v2(blas, CUBLAS_FILL_MODE_LOWER, trans, d, k, alpha32,
                    new FloatPointer(a), lda, beta32, new FloatPointer(c), d), "cublasSsyrk");
        }
        download(target, c, targetElements, precision);
    }

    // ---------------------------------------------------------------- GEMM

    /**
     * Row-major {@code c = alpha * op(a) * op(b) + beta * c} with {@code op(a)} m x k and {@code op(b)} k x n: a is
     * stored k x m when {@code transposeA} is set, else m x k; b is stored n x k when {@code transposeB} is set, else
     * k x n; c is m x n. With {@code beta == 0} the old contents of c are not read (NaN in c does not propagate).
     *
     * @param transposeA whether a is stored k x m (transposed)
     * @param transposeB whether b is stored n x k (transposed)
     * @param m          rows of op(a) and of c
     * @param n          columns of op(b) and of c
     * @param k          columns of op(a), rows of op(b)
     * @param alpha      factor of the product
     * @param a          the left matrix, row-major
     * @param b          the right matrix, row-major
     * @param beta       factor of the old c (0: c is only written)
     * @param c          row-major m x n result, also read when beta is not 0
     */
    public synchronized void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha,
                                  DoublePointer a, DoublePointer b, double beta, DoublePointer c) {
        gemm(Precision.FLOAT64, transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
    }

    /** {@link #gemm(boolean, boolean, int, int, int, double, DoublePointer, DoublePointer, double, DoublePointer)}
     * in float32.
     *
     * @param transposeA whether a is stored k x m (transposed)
     * @param transposeB whether b is stored n x k (transposed)
     * @param m          rows of op(a) and of c
     * @param n          columns of op(b) and of c
     * @param k          columns of op(a), rows of op(b)
     * @param alpha      factor of the product
     * @param a          the left matrix, row-major
     * @param b          the right matrix, row-major
     * @param beta       factor of the old c (0: c is only written)
     * @param c          row-major m x n result, also read when beta is not 0
     */
    public synchronized void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha,
                                  FloatPointer a, FloatPointer b, double beta, FloatPointer c) {
        gemm(Precision.FLOAT32, transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
    }

    /** {@link #gemm(boolean, boolean, int, int, int, double, DoublePointer, DoublePointer, double, DoublePointer)}
     * on Java arrays.
     *
     * @param transposeA whether a is stored k x m (transposed)
     * @param transposeB whether b is stored n x k (transposed)
     * @param m          rows of op(a) and of c
     * @param n          columns of op(b) and of c
     * @param k          columns of op(a), rows of op(b)
     * @param alpha      factor of the product
     * @param a          the left matrix, row-major
     * @param b          the right matrix, row-major
     * @param beta       factor of the old c (0: c is only written)
     * @param c          row-major m x n result, also read when beta is not 0
     */
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha, double[] a,
                     double[] b, double beta, double[] c) {
        requireLength(a, (long) m * k, "a");
        requireLength(b, (long) k * n, "b");
        requireLength(c, (long) m * n, "c");
        try (DoublePointer pa = new DoublePointer(a); DoublePointer pb = new DoublePointer(b);
             DoublePointer pc = new DoublePointer(c)) {
            gemm(transposeA, transposeB, m, n, k, alpha, pa, pb, beta, pc);
            pc.get(c);
        }
    }

    /** {@link #gemm(boolean, boolean, int, int, int, double, DoublePointer, DoublePointer, double, DoublePointer)}
     * on float32 Java arrays.
     *
     * @param transposeA whether a is stored k x m (transposed)
     * @param transposeB whether b is stored n x k (transposed)
     * @param m          rows of op(a) and of c
     * @param n          columns of op(b) and of c
     * @param k          columns of op(a), rows of op(b)
     * @param alpha      factor of the product
     * @param a          the left matrix, row-major
     * @param b          the right matrix, row-major
     * @param beta       factor of the old c (0: c is only written)
     * @param c          row-major m x n result, also read when beta is not 0
     */
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha, float[] a,
                     float[] b, double beta, float[] c) {
        requireLength(a, (long) m * k, "a");
        requireLength(b, (long) k * n, "b");
        requireLength(c, (long) m * n, "c");
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b);
             FloatPointer pc = new FloatPointer(c)) {
            gemm(transposeA, transposeB, m, n, k, alpha, pa, pb, beta, pc);
            pc.get(c);
        }
    }

    /**
     * Row-major C (m x n) is column-major C^T (n x m) = op(B)^T op(A)^T, and the stored row-major B and A are the
     * column-major B^T and A^T: so B comes first, each with its own transpose flag, and the leading dimensions are the
     * row lengths of the stored matrices.
     */
    private void gemm(Precision precision, boolean transposeA, boolean transposeB, int m, int n, int k, double alpha,
                      Pointer hostA, Pointer hostB, double beta, Pointer hostC) {
        requireOpen();
        requireDimensions(m, n);
        requireDimensions(k, 1);
        long aElements = (long) m * k;
        long bElements = (long) k * n;
        long cElements = (long) m * n;
        requireCapacity(hostA, aElements, "a");
        requireCapacity(hostB, bElements, "b");
        requireCapacity(hostC, cElements, "c");
        Pointer da = upload(left, hostA, aElements, precision);
        Pointer db = upload(right, hostB, bElements, precision);
        Pointer dc = beta == 0 ? result.reserve(cElements * precision.bytes)
                : upload(result, hostC, cElements, precision);
        int opA = transposeA ? CUBLAS_OP_T : CUBLAS_OP_N;
        int opB = transposeB ? CUBLAS_OP_T : CUBLAS_OP_N;
        int lda = transposeA ? m : k;
        int ldb = transposeB ? k : n;
        if (precision == Precision.FLOAT64) {
            alpha64.put(alpha);
            beta64.put(beta);
            CudaStatus.checkBlas(cublas.cublasDgemm_v2(blas, opB, opA, n, m, k, alpha64, new DoublePointer(db), ldb,
                    new DoublePointer(da), lda, beta64, new DoublePointer(dc), n), "cublasDgemm");
        } else {
            alpha32.put((float) alpha);
            beta32.put((float) beta);
            CudaStatus.checkBlas(cublas.cublasSgemm_v2(blas, opB, opA, n, m, k, alpha32, new FloatPointer(db), ldb,
                    new FloatPointer(da), lda, beta32, new FloatPointer(dc), n), "cublasSgemm");
        }
        download(hostC, dc, cElements, precision);
    }

    // ---------------------------------------------------------------- symmetric eigendecompositions

    /**
     * Float64 eigendecomposition of a row-major symmetric n x n matrix by cuSOLVER's divide and conquer
     * ({@code Dsyevd}). Only the lower triangle is read; the input is not modified.
     *
     * @param symmetric n * n values, row-major
     * @param values    receives the n eigenvalues, ascending
     * @param vectors   receives the orthonormal eigenvectors as the columns of a row-major n x n matrix
     * @param n         order of each matrix
     * @throws IllegalStateException when the solver does not converge
     */
    public synchronized void decomposeSymmetric(DoublePointer symmetric, int n, DoublePointer values,
                                                DoublePointer vectors) {
        requireOpen();
        requireDimensions(n, n);
        long elements = (long) n * n;
        requireCapacity(symmetric, elements, "symmetric");
        requireCapacity(values, n, "values");
        requireCapacity(vectors, elements, "vectors");
        // the row-major lower triangle is the column-major upper one
        DoublePointer a = new DoublePointer(upload(left, symmetric, elements, Precision.FLOAT64));
        DoublePointer w = eigenvalues.doubles(n);
        CudaStatus.checkSolver(cusolver.cusolverDnDsyevd_bufferSize(solver, CUSOLVER_EIG_MODE_VECTOR,
                CUBLAS_FILL_MODE_UPPER, n, a, n, w, hostInt), "cusolverDnDsyevd_bufferSize");
        int lwork = hostInt.get();
        IntPointer info = solverInfo.ints(1);
        CudaStatus.checkSolver(cusolver.cusolverDnDsyevd(solver, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n,
                a, n, w, workspace.doubles(Math.max(1, lwork)), lwork, info), "cusolverDnDsyevd");
        requireConverged(info, 1, n, "cusolverDnDsyevd");
        download(values, w, n, Precision.FLOAT64);
        transposeInto(vectors, a, n);
    }

    /**
     * {@link #decomposeSymmetric(DoublePointer, int, DoublePointer, DoublePointer)} on Java arrays.
     *
     * @param symmetric the row-major symmetric matrices, n * n values each; only lower triangles are read
     * @param n         order of each matrix
     * @param values    receives the n eigenvalues of each matrix, ascending
     * @param vectors   receives each matrix's orthonormal eigenvectors as the columns of a row-major n x n matrix
     */
    public void decomposeSymmetric(double[] symmetric, int n, double[] values, double[] vectors) {
        requireLength(symmetric, (long) n * n, "symmetric");
        requireLength(values, n, "values");
        requireLength(vectors, (long) n * n, "vectors");
        try (DoublePointer a = new DoublePointer(symmetric); DoublePointer w = new DoublePointer(n);
             DoublePointer v = new DoublePointer((long) n * n)) {
            decomposeSymmetric(a, n, w, v);
            w.get(values);
            v.get(vectors);
        }
    }

    /**
     * Float64 eigendecompositions of {@code count} row-major symmetric n x n matrices stored one after the other;
     * results as {@link #decomposeSymmetric(DoublePointer, int, DoublePointer, DoublePointer)}, one after the other.
     * Matrices of order up to 32 go to cuSOLVER's batched Jacobi solver in one call (tolerance: machine precision,
     * eigenvalues sorted); larger ones to {@code Dsyevd} one at a time.
     *
     * @param symmetric the row-major symmetric matrices, n * n values each; only lower triangles are read
     * @param n         order of each matrix
     * @param count     number of matrices
     * @param values    receives the n eigenvalues of each matrix, ascending
     * @param vectors   receives each matrix's orthonormal eigenvectors as the columns of a row-major n x n matrix
     * @throws IllegalStateException when the solver does not converge for one of the matrices
     */
    public synchronized void decomposeSymmetricBatch(DoublePointer symmetric, int n, int count, DoublePointer values,
                                                     DoublePointer vectors) {
        requireOpen();
        requireDimensions(n, count);
        long elements = (long) n * n;
        requireCapacity(symmetric, elements * count, "symmetric");
        requireCapacity(values, (long) n * count, "values");
        requireCapacity(vectors, elements * count, "vectors");
        if (n > BATCHED_JACOBI_MAX_ORDER || count == 1) {
            for (int i = 0; i < count; i++) {
                decomposeSymmetric(symmetric.getPointer(i * elements), n, values.getPointer((long) i * n),
                        vectors.getPointer(i * elements));
            }
            return;
        }
        batchedJacobi(symmetric, n, count, values, vectors);
    }

    /**
     * {@link #decomposeSymmetricBatch(DoublePointer, int, int, DoublePointer, DoublePointer)} on Java arrays.
     *
     * @param symmetric the row-major symmetric matrices, n * n values each; only lower triangles are read
     * @param n         order of each matrix
     * @param count     number of matrices
     * @param values    receives the n eigenvalues of each matrix, ascending
     * @param vectors   receives each matrix's orthonormal eigenvectors as the columns of a row-major n x n matrix
     */
    public void decomposeSymmetricBatch(double[] symmetric, int n, int count, double[] values, double[] vectors) {
        requireLength(symmetric, (long) n * n * count, "symmetric");
        requireLength(values, (long) n * count, "values");
        requireLength(vectors, (long) n * n * count, "vectors");
        try (DoublePointer a = new DoublePointer(symmetric); DoublePointer w = new DoublePointer(values.length);
             DoublePointer v = new DoublePointer(vectors.length)) {
            decomposeSymmetricBatch(a, n, count, w, v);
            w.get(values);
            v.get(vectors);
        }
    }

    private void batchedJacobi(DoublePointer symmetric, int n, int count, DoublePointer values,
                               DoublePointer vectors) {
        long elements = (long) n * n * count;
        DoublePointer a = new DoublePointer(upload(left, symmetric, elements, Precision.FLOAT64));
        DoublePointer w = eigenvalues.doubles((long) n * count);
        IntPointer info = solverInfo.ints(count);
        syevjInfo parameters = new syevjInfo();
        CudaStatus.checkSolver(cusolver.cusolverDnCreateSyevjInfo(parameters), "cusolverDnCreateSyevjInfo");
        try {
            // tolerance 0 asks for machine precision; sorted (ascending) eigenvalues are the default, set for clarity
            CudaStatus.checkSolver(cusolver.cusolverDnXsyevjSetTolerance(parameters, 0.0),
                    "cusolverDnXsyevjSetTolerance");
            CudaStatus.checkSolver(cusolver.cusolverDnXsyevjSetSortEig(parameters, 1), "cusolverDnXsyevjSetSortEig");
            CudaStatus.checkSolver(cusolver.cusolverDnDsyevjBatched_bufferSize(solver, CUSOLVER_EIG_MODE_VECTOR,
                    CUBLAS_FILL_MODE_UPPER, n, a, n, w, hostInt, parameters, count),
                    "cusolverDnDsyevjBatched_bufferSize");
            int lwork = hostInt.get();
            CudaStatus.checkSolver(cusolver.cusolverDnDsyevjBatched(solver, CUSOLVER_EIG_MODE_VECTOR,
                    CUBLAS_FILL_MODE_UPPER, n, a, n, w, workspace.doubles(Math.max(1, lwork)), lwork, info,
                    parameters, count), "cusolverDnDsyevjBatched");
        } finally {
            cusolver.cusolverDnDestroySyevjInfo(parameters);
        }
        requireConverged(info, count, n, "cusolverDnDsyevjBatched");
        download(values, w, (long) n * count, Precision.FLOAT64);
        // each column-major n x n block of eigenvectors is the transpose of the row-major result: small, so on the host
        download(vectors, a, elements, Precision.FLOAT64);
        double[] block = new double[n * n];
        for (int i = 0; i < count; i++) {
            DoublePointer out = vectors.getPointer((long) i * n * n);
            out.get(block);
            transposeSquare(block, n);
            out.put(block);
        }
    }

    /** Writes the transpose of a column-major n x n device matrix into host memory (cuBLAS {@code geam}). */
    private void transposeInto(DoublePointer host, DoublePointer device, int n) {
        long elements = (long) n * n;
        DoublePointer transposed = result.doubles(elements);
        alpha64.put(1.0);
        beta64.put(0.0);
        CudaStatus.checkBlas(cublas.cublasDgeam(blas, CUBLAS_OP_T, CUBLAS_OP_N, n, n, alpha64, device, n, beta64,
                device, n, transposed, n), "cublasDgeam");
        download(host, transposed, elements, Precision.FLOAT64);
    }

    private void requireConverged(IntPointer deviceInfo, int count, int n, String call) {
        int[] info = new int[count];
        try (IntPointer host = new IntPointer(count)) {
            CudaStatus.checkRuntime(cudart.cudaMemcpy(host, deviceInfo, (long) count * Integer.BYTES,
                    cudaMemcpyDeviceToHost), "cudaMemcpy of the solver info");
            host.get(info);
        }
        for (int i = 0; i < count; i++) {
            if (info[i] != 0) {
                throw new IllegalStateException(call + " failed on matrix " + i + " (" + n + " x " + n + "): info="
                        + info[i] + (info[i] > 0 ? ", no convergence" : ", illegal argument"));
            }
        }
    }

    static void transposeSquare(double[] m, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double t = m[i * n + j];
                m[i * n + j] = m[j * n + i];
                m[j * n + i] = t;
            }
        }
    }

    // ---------------------------------------------------------------- transfers and checks

    private static Pointer upload(DeviceBuffer buffer, Pointer host, long elements, Precision precision) {
        long bytes = elements * precision.bytes;
        Pointer device = buffer.reserve(bytes);
        CudaStatus.checkRuntime(cudart.cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice),
                "cudaMemcpy of " + bytes + " bytes to the device");
        return device;
    }

    private static void download(Pointer host, Pointer device, long elements, Precision precision) {
        long bytes = elements * precision.bytes;
        CudaStatus.checkRuntime(cudart.cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost),
                "cudaMemcpy of " + bytes + " bytes to the host");
    }

    private static void requireDimensions(long first, long second) {
        if (first < 1 || second < 1) {
            throw new IllegalArgumentException("matrix dimensions must be positive, got " + first + " and " + second);
        }
    }

    /** Host pointers made from Java arrays know their length; those from other native memory report 0. */
    private static void requireCapacity(Pointer host, long elements, String name) {
        if (host == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (host.position() != 0) {
            throw new IllegalArgumentException(name + " must have position 0 (offset the address instead)");
        }
        if (host.capacity() > 0 && host.capacity() < elements) {
            throw new IllegalArgumentException(name + " holds " + host.capacity() + " values, needs " + elements);
        }
    }

    private static void requireLength(double[] array, long elements, String name) {
        requireArrayLength(array == null ? -1 : array.length, elements, name);
    }

    private static void requireLength(float[] array, long elements, String name) {
        requireArrayLength(array == null ? -1 : array.length, elements, name);
    }

    private static void requireArrayLength(long length, long elements, String name) {
        if (length != elements) {
            throw new IllegalArgumentException(name + " must hold " + elements + " values, got "
                    + (length < 0 ? "null" : String.valueOf(length)));
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this CudaLinearAlgebra is closed");
        }
    }

    /**
     * Frees the device buffers and the library handles.
     *
     * @throws IllegalStateException on the {@link #shared()} instance, which lives as long as the process
     */
    @Override
    public synchronized void close() {
        synchronized (CudaLinearAlgebra.class) {
            if (this == shared) {
                throw new IllegalStateException("the shared CudaLinearAlgebra lives as long as the process");
            }
        }
        if (closed) {
            return;
        }
        closed = true;
        for (DeviceBuffer buffer : new DeviceBuffer[] {left, right, result, workspace, eigenvalues, solverInfo}) {
            buffer.close();
        }
        cusolver.cusolverDnDestroy(solver);
        cublas.cublasDestroy_v2(blas);
        for (Pointer p : new Pointer[] {alpha64, beta64, alpha32, beta32, hostInt}) {
            p.close();
        }
    }

    /** Element type of the operands of one call. */
    private enum Precision {
        FLOAT32(Float.BYTES), FLOAT64(Double.BYTES);

        final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }
    }
}
