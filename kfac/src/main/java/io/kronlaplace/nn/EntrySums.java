package io.kronlaplace.nn;

import io.kronlaplace.linalg.OpenBlasThreads;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums over all entries of an array, and sums of entry-wise products of two arrays, by BLAS: the scalar parameter
 * gradients of the Fixup layers, which reduce whole feature maps every training step.
 *
 * <p>Why BLAS: libnd4j's full sum reduction read a 33 MB float32 map at about a tenth of the speed of a BLAS
 * matrix-vector product with a vector of ones (3.0 ms against 0.3 ms on 2 cores), and a product followed by a sum
 * writes a whole temporary map first. A sum here views the data as rows of {@value #ROW} entries, multiplies them by a
 * vector of ones ({@code ?gemv}, each row's sum accumulated by one thread in the BLAS precision) and adds the row sums
 * in double precision; the entries after the last whole row go through one {@code ?dot} with the ones. A sum of
 * products is one {@code ?dot}. Calls run single-threaded (see {@link OpenBlasThreads} for why short BLAS calls between
 * the convolutions must not leave spinning workers behind); they read memory faster than one core can add anyway.
 *
 * <p>Float32 and float64 arrays only; others fall back to ND4J's reductions. See docs/numerics.md, section "GEMM and
 * SYRK".
 */
final class EntrySums {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    /** Entries per row of the matrix view: the ones vector stays in the first-level cache. */
    private static final int ROW = 4096;
    private static final FloatPointer FLOAT_ONES = floatOnes();
    private static final DoublePointer DOUBLE_ONES = doubleOnes();

    private EntrySums() {
    }

    /**
     * The sum of all entries of x, in any layout (a strided view is copied first).
     *
     * @param x any array
     * @return the sum (0 for an empty array), in double precision (each row of {@value #ROW} entries is summed in x's
     *         precision)
     */
    @SuppressWarnings("try") // the single-threaded section is held for its effect only
    static double sum(INDArray x) {
        if (x.isEmpty()) {
            return 0;
        }
        if (!isBlasType(x.dataType())) {
            return x.sumNumber().doubleValue();
        }
        INDArray dense = Tensors.denseBuffer(x);
        long length = dense.length();
        int rows = Math.toIntExact(length / ROW);
        int tail = (int) (length % ROW);
        double total = 0;
        try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
            if (dense.dataType() == DataType.DOUBLE) {
                DoublePointer data = new DoublePointer(dense.data().addressPointer());
                if (rows > 0) {
                    try (DoublePointer rowSums = new DoublePointer(rows)) {
                        openblas_nolapack.cblas_dgemv(ROW_MAJOR, NO_TRANS, rows, ROW, 1.0, data, ROW, DOUBLE_ONES, 1,
                                0.0, rowSums, 1);
                        double[] values = new double[rows];
                        rowSums.get(values);
                        total += Arrays.stream(values).sum();
                    }
                }
                if (tail > 0) {
                    total += openblas_nolapack.cblas_ddot(tail, data.position((long) rows * ROW), 1, DOUBLE_ONES, 1);
                }
            } else {
                FloatPointer data = new FloatPointer(dense.data().addressPointer());
                if (rows > 0) {
                    try (FloatPointer rowSums = new FloatPointer(rows)) {
                        openblas_nolapack.cblas_sgemv(ROW_MAJOR, NO_TRANS, rows, ROW, 1f, data, ROW, FLOAT_ONES, 1, 0f,
                                rowSums, 1);
                        float[] values = new float[rows];
                        rowSums.get(values);
                        for (float v : values) {
                            total += v;
                        }
                    }
                }
                if (tail > 0) {
                    total += openblas_nolapack.cblas_sdot(tail, data.position((long) rows * ROW), 1, FLOAT_ONES, 1);
                }
            }
        }
        return total;
    }

    /**
     * The sum of the entry-wise products of a and b, whose entries pair up in C order.
     *
     * @param a any array
     * @param b an array of a's type and shape
     * @return {@code sum_i a_i b_i}, accumulated in the arrays' precision
     * @throws IllegalArgumentException if the shapes or types differ
     */
    @SuppressWarnings("try") // as in sum
    static double sumOfProducts(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape()) || a.dataType() != b.dataType()) {
            throw new IllegalArgumentException("sum of products needs two arrays of one shape and type, got "
                    + a.dataType() + " " + Arrays.toString(a.shape()) + " and " + b.dataType() + " "
                    + Arrays.toString(b.shape()));
        }
        if (a.isEmpty()) {
            return 0;
        }
        if (!isBlasType(a.dataType())) {
            return a.mul(b).sumNumber().doubleValue();
        }
        INDArray da = Tensors.denseBuffer(a);
        INDArray db = Tensors.denseBuffer(b);
        double total = 0;
        try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
            for (long first = 0; first < da.length(); first += Integer.MAX_VALUE) {
                int count = (int) Math.min(Integer.MAX_VALUE, da.length() - first);
                if (da.dataType() == DataType.DOUBLE) {
                    total += openblas_nolapack.cblas_ddot(count,
                            new DoublePointer(da.data().addressPointer()).position(first), 1,
                            new DoublePointer(db.data().addressPointer()).position(first), 1);
                } else {
                    total += openblas_nolapack.cblas_sdot(count,
                            new FloatPointer(da.data().addressPointer()).position(first), 1,
                            new FloatPointer(db.data().addressPointer()).position(first), 1);
                }
            }
        }
        return total;
    }

    private static boolean isBlasType(DataType type) {
        return type == DataType.FLOAT || type == DataType.DOUBLE;
    }

    private static FloatPointer floatOnes() {
        float[] ones = new float[ROW];
        Arrays.fill(ones, 1f);
        return new FloatPointer(ones);
    }

    private static DoublePointer doubleOnes() {
        double[] ones = new double[ROW];
        Arrays.fill(ones, 1.0);
        return new DoublePointer(ones);
    }
}
