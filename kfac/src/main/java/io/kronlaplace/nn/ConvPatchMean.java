package io.kronlaplace.nn;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mean im2col patch of a convolution over its output locations,
 * {@code abar[n] = 1/R sum_r inputPositions(x)[n, r]}, computed without unfolding: entry (c, i, j) is the sum of input channel c over the pixels that kernel offset (i, j)
 * visits, a strided box of the image (rows {@code t*s - p + i}, columns {@code u*s - p + j} that fall inside it;
 * padding adds zeros).
 *
 * <p>A box differs from a whole residue class of rows (or columns) modulo the stride only by the few rows near the
 * border that padding pushes out, so each plane is summed once per row residue into column totals, each kernel row
 * takes those totals minus its excluded border rows (or sums its own rows where that is shorter), and the same is
 * done along the columns. The pass over the plane is element-wise additions of whole rows, which the JIT vectorises;
 * earlier prefix sums along every row ran as a dependent chain per element and were three times slower than reading
 * the input. Cost O(N Cin H W) with no N x R x Din buffer. This is {@link Conv2d#meanInput}.
 */
final class ConvPatchMean {
    private ConvPatchMean() {
    }

    /**
     * The input indices {@code first, first + step, ..., last} one kernel offset reads along an axis of length
     * {@code size}; empty when {@code last < first}.
     */
    private record Window(int first, int last, int step, int size) {
        boolean isEmpty() {
            return last < first;
        }

        int residue() {
            return first % step;
        }

        /** Whether summing the window's own indices is no longer than taking the residue total minus the rest. */
        boolean direct() {
            int inside = (last - first) / step + 1;
            int outside = first / step + (size - 1 - last) / step;
            return inside <= outside;
        }

        /** Sum of {@code values[k]} over the window, given the totals of {@code values} per residue class. */
        double sum(double[] values, double[] residueTotals) {
            if (isEmpty()) {
                return 0.0;
            }
            double s = 0.0;
            if (direct()) {
                for (int k = first; k <= last; k += step) {
                    s += values[k];
                }
                return s;
            }
            s = residueTotals[residue()];
            for (int k = first - step; k >= 0; k -= step) {
                s -= values[k];
            }
            for (int k = last + step; k < size; k += step) {
                s -= values[k];
            }
            return s;
        }

        /**
         * Column totals {@code target[c] = sum of plane[r][c]} over the window's rows r, given the column totals per
         * row residue class.
         */
        void sumRows(double[] plane, int width, double[][] residueRowTotals, double[] target) {
            if (direct()) {
                Arrays.fill(target, 0.0);
                for (int r = first; r <= last; r += step) {
                    addRow(plane, r * width, target, 1.0);
                }
                return;
            }
            System.arraycopy(residueRowTotals[residue()], 0, target, 0, width);
            for (int r = first - step; r >= 0; r -= step) {
                addRow(plane, r * width, target, -1.0);
            }
            for (int r = last + step; r < size; r += step) {
                addRow(plane, r * width, target, -1.0);
            }
        }
    }

    /** Mean patch {@code [N, Cin*kh*kw]} (features ordered channel, kernel row, kernel column), input's type. */
    static INDArray of(Conv2d conv, INDArray x) {
        INDArray dense = Tensors.denseBuffer(x);
        int n = Math.toIntExact(dense.size(0));
        int channels = Math.toIntExact(dense.size(1));
        int h = Math.toIntExact(dense.size(2));
        int w = Math.toIntExact(dense.size(3));
        long[] out = conv.outputSize(h, w);
        Window[] rows = new Window[conv.kernelH()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = window(i, conv.strideH(), conv.padH(), h, out[0]);
        }
        Window[] cols = new Window[conv.kernelW()];
        for (int j = 0; j < cols.length; j++) {
            cols[j] = window(j, conv.strideW(), conv.padW(), w, out[1]);
        }
        boolean single = dense.dataType() == DataType.FLOAT;
        INDArray source = single || dense.dataType() == DataType.DOUBLE ? dense : dense.castTo(DataType.DOUBLE);
        FloatBuffer floats = single ? source.data().asNioFloat() : null;
        DoubleBuffer doubles = single ? null : source.data().asNioDouble();
        int area = rows.length * cols.length;
        int planeSize = h * w;
        double[] mean = new double[n * channels * area];
        double scale = 1.0 / (out[0] * out[1]);
        // Images are independent: split them over the common pool (ND4J's threads are idle during this loop).
        IntStream.range(0, n).parallel().forEach(image -> {
            PlaneSums sums = new PlaneSums(rows, cols, h, w);
            float[] floatPlane = floats == null ? null : new float[planeSize];
            FloatBuffer fb = floats == null ? null : floats.duplicate();
            DoubleBuffer db = doubles == null ? null : doubles.duplicate();
            for (int p = image * channels; p < (image + 1) * channels; p++) {
                if (fb != null) {
                    fb.get(p * planeSize, floatPlane);
                    for (int k = 0; k < planeSize; k++) {
                        sums.plane[k] = floatPlane[k];
                    }
                } else {
                    db.get(p * planeSize, sums.plane);
                }
                sums.boxSums(mean, p * area, scale);
            }
        });
        INDArray result = Nd4j.create(mean, new long[] {n, (long) channels * area}, 'c');
        return x.dataType() == DataType.DOUBLE ? result : result.castTo(x.dataType());
    }

    /** One worker's scratch arrays and the box sums of one image plane. */
    private static final class PlaneSums {
        private final Window[] rows;
        private final Window[] cols;
        private final int h;
        private final int w;
        private final boolean needsRowTotals;
        private final double[] plane;
        private final double[][] residueRowTotals;
        private final double[] columnTotals;
        private final double[] residueTotals;

        PlaneSums(Window[] rows, Window[] cols, int h, int w) {
            this.rows = rows;
            this.cols = cols;
            this.h = h;
            this.w = w;
            this.needsRowTotals = Arrays.stream(rows).anyMatch(r -> !r.isEmpty() && !r.direct());
            this.plane = new double[h * w];
            this.residueRowTotals = new double[rows[0].step()][w];
            this.columnTotals = new double[w];
            this.residueTotals = new double[cols[0].step()];
        }

        /** {@code out[at + i*kw + j] = scale * (sum of the plane over box (i, j))}; boxes with no pixel stay 0. */
        void boxSums(double[] out, int at, double scale) {
            if (needsRowTotals) {
                for (double[] t : residueRowTotals) {
                    Arrays.fill(t, 0.0);
                }
                for (int r = 0; r < h; r++) {
                    addRow(plane, r * w, residueRowTotals[r % residueRowTotals.length], 1.0);
                }
            }
            for (int i = 0; i < rows.length; i++) {
                if (rows[i].isEmpty()) {
                    continue;
                }
                rows[i].sumRows(plane, w, residueRowTotals, columnTotals);
                Arrays.fill(residueTotals, 0.0);
                for (int c = 0; c < w; c++) {
                    residueTotals[c % residueTotals.length] += columnTotals[c];
                }
                for (int j = 0; j < cols.length; j++) {
                    out[at + i * cols.length + j] = scale * cols[j].sum(columnTotals, residueTotals);
                }
            }
        }
    }

    /** {@code target[c] += sign * plane[start + c]} for every column c. */
    private static void addRow(double[] plane, int start, double[] target, double sign) {
        for (int c = 0; c < target.length; c++) {
            target[c] += sign * plane[start + c];
        }
    }

    /** Input indices {@code t*stride - pad + offset}, t in [0, outSize), that fall inside [0, size). */
    private static Window window(int offset, int stride, int pad, long size, long outSize) {
        long first = Math.max(0, Math.floorDiv(pad - offset + stride - 1, stride));
        long last = Math.min(outSize - 1, Math.floorDiv(size - 1 + pad - offset, stride));
        return new Window(Math.toIntExact(first * stride - pad + offset), Math.toIntExact(last * stride - pad + offset),
                stride, Math.toIntExact(size));
    }
}
