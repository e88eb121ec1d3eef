package io.kronlaplace.linalg;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The dense linear-algebra kernels of the curvature code, behind one interface so that a device backend (CPU
 * OpenBLAS/LAPACK today, a GPU library later) is one implementing class: symmetric rank-k updates into the upper
 * triangle of preallocated Gram sums, GEMM into preallocated outputs, and float64 symmetric eigendecompositions, one
 * or a batch at a time. Callers obtain an instance from {@link ComputeDevices} (by device name, the
 * {@value ComputeDevices#PROPERTY} system property or an options field) and keep it for the life of the engine, so
 * each operation costs one interface call.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}: they need a public no-argument constructor that
 * loads no native code (probing happens in {@link #isAvailable()}) and a line in
 * {@code META-INF/services/io.kronlaplace.linalg.ComputeKernels}. Every operation works on ND4J arrays in host
 * memory and must leave its result there when it returns. Implementations are stateless or thread-safe. See
 * docs/compute-kernels.md for the threading and precision rules and for how a backend is added.
 */
public interface ComputeKernels {

    /**
     * The device name this implementation is selected by.
     *
     * @return the name in lower case, e.g. {@code "cpu"} or {@code "cuda"}; unique among the providers on the class
     *         path
     */
    String name();

    /**
     * Whether the kernels can run in this process (native libraries load, a device is present). Called once per
     * selection; it must not throw, and it returns false rather than fail later.
     *
     * @return true when every operation can run here, false when the selection must fall back to the CPU
     */
    boolean isAvailable();

    /**
     * Upper triangle of {@code target = beta * target + rows^T rows} (SYRK): entries {@code i <= j} of the C-order
     * target are written, the strict lower triangle is left untouched (fill it with {@link #mirrorUpper}).
     *
     * @param rows   M x D, dense C-order, float32 or float64
     * @param target D x D, dense C-order, the same type as {@code rows}; updated in place in that type
     * @param beta   scale of the old target; 0 overwrites it
     * @throws IllegalArgumentException when an operand is not dense C-order, the types differ or are not float32 or
     *                                  float64, or the target is not D x D
     */
    void addTransposeProductUpper(INDArray rows, INDArray target, double beta);

    /**
     * Upper triangle of {@code target = beta * target + sum_n M_n M_n^T} over the matrices M_n (D x R) of a stack:
     * the Gram of K-FAC-expand over every example and position, without transposing the unfolded patches. One call
     * per stack lets an implementation plan the whole sum at once (the CPU kernels pick OpenBLAS's thread count by
     * its total size, not by one example's).
     *
     * @param stack  N x D x R, dense C-order, float32 or float64, N &gt;= 1
     * @param target D x D, dense C-order, the same type as {@code stack}; updated in place
     * @param beta   scale of the old target; 0 overwrites it
     * @throws IllegalArgumentException on operands as for {@link #addTransposeProductUpper}, or when the stack is not
     *                                  three-dimensional or empty
     */
    void addProductsOfUpper(INDArray stack, INDArray target, double beta);

    /**
     * Copies the upper triangle of a square float64 matrix onto its strict lower triangle, in place.
     *
     * @param square n x n, dense C-order, float64
     * @return {@code square}
     * @throws IllegalArgumentException when the matrix is not square, not dense C-order or not float64
     */
    INDArray mirrorUpper(INDArray square);

    /**
     * {@code c = alpha * op(a) * op(b) + beta * c} written into {@code c}, which is never reallocated; op transposes
     * when the flag is set. All three arrays have one floating type, the arithmetic runs in that type.
     *
     * @param a          left operand, a matrix of the common floating type (float32 or float64)
     * @param b          right operand, a matrix of the same type
     * @param c          preallocated, contiguous output of the product's shape, the same type; read when beta is not
     *                   0
     * @param transposeA whether op(a) is a^T
     * @param transposeB whether op(b) is b^T
     * @param alpha      scale of the product
     * @param beta       scale of the old {@code c}; 0 overwrites it
     */
    void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha, double beta);

    /**
     * Eigendecomposition of one real symmetric matrix in float64, whatever the input's floating type. Only the lower
     * triangle is read; the input is not modified.
     *
     * @param symmetric n x n
     * @return ascending eigenvalues and orthonormal eigenvectors in columns, float64
     * @throws IllegalArgumentException when the input is not square or holds NaN or infinite values
     * @throws IllegalStateException    when the solver fails
     */
    Eigendecomposition decomposeSymmetric(INDArray symmetric);

    /**
     * Eigendecompositions of several independent symmetric matrices (the factors of all layers), scheduled as the
     * implementation sees fit; results as {@link #decomposeSymmetric} each.
     *
     * @param matrices square matrices of any floating type, each read only in its lower triangle and not modified
     * @return the decompositions in the order of the input list
     * @throws IllegalArgumentException or IllegalStateException as {@link #decomposeSymmetric} for a matrix that fails
     */
    List<Eigendecomposition> decomposeAllSymmetric(List<INDArray> matrices);
}
