package io.kronlaplace.nn;

import io.kronlaplace.linalg.ComputeKernels;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The K-FAC-expand input Gram of a stride-1 convolution, {@code sum_n sum_r a[n, r] a[n, r]^T} over its im2col
 * patches, computed without unfolding them (docs/kfac.md, section "Expand Gram without unfolding").
 *
 * <p>The Gram has one {@code Cin x Cin} block per pair of kernel offsets {@code t1 = (i1, j1)}, {@code t2 = (i2, j2)}:
 * the sum, over the pixels q that offset t1 reads at some output location, of {@code x[q] x[q + s]^T} with the shift
 * {@code s = t2 - t1} and x zero outside the image. Offsets read the same pixels apart from a few rows and columns at
 * the border, so for each shift the sum over every pixel is formed once, and each block subtracts the border rows and
 * columns that its offset does not read (only those whose shifted partners lie inside the image, which for a padded
 * 3 x 3 kernel are the blocks with {@code i1 = i2} or {@code j1 = j2} on one side of the centre). With the batch laid
 * out pixel-major, then example, then channel, between zero margins, a shift is a constant row offset: every such sum
 * is one GEMM of two row ranges of one matrix; a border column is one GEMM on a copy of that image column laid out
 * the same way. A k x k kernel needs {@code (k-1)(2k-1)+k} full-image GEMMs of {@code Cin x Cin} outputs (13 for
 * 3 x 3) and small border ones, against one SYRK of width {@code k^2 Cin} over the unfolded patches: about a third of
 * the arithmetic, with no patch buffer. This is {@link Conv2d#inputGram}.
 */
final class ConvPatchGram {
    private final ComputeKernels kernels;
    private final int kh;
    private final int kw;
    private final int h;
    private final int w;
    /** Interior image rows read by each kernel row, {@code [from, to)}; the same for columns. */
    private final int[][] rowWindows;
    private final int[][] columnWindows;
    private final int marginRows;
    private final int rowLength;
    private final long channels;
    private final Map<Integer, INDArray> columns = new HashMap<>();
    private INDArray images;
    private INDArray laidOut;
    private INDArray rows;
    private long examples;

    private ConvPatchGram(Conv2d conv, long channels, int h, int w, ComputeKernels kernels) {
        this.kernels = kernels;
        this.kh = conv.kernelH();
        this.kw = conv.kernelW();
        this.h = h;
        this.w = w;
        this.channels = channels;
        long[] out = conv.outputSize(h, w);
        this.rowWindows = windows(kh, conv.padH(), Math.toIntExact(out[0]), h);
        this.columnWindows = windows(kw, conv.padW(), Math.toIntExact(out[1]), w);
        // shifts reach kh - 1 rows and kw - 1 columns either way; a row longer by kw - 1 zero columns keeps a column
        // shift inside the zeros instead of wrapping into the next row's pixels, and one more margin row on each
        // side holds the wrap of the first and last row
        this.marginRows = kh;
        this.rowLength = w + kw - 1;
    }

    /**
     * Writes {@code sum_n sum_r a[n, r] a[n, r]^T} over the patches of a stride-1 convolution into {@code target}.
     *
     * @param conv        the convolution; its stride must be 1 ({@link Conv2d#inputGram} decides)
     * @param input       NCHW float32 or float64 input ({@link Conv2d#inputGram} takes no other type)
     * @param maxElements the most values of the laid-out batch and its edge columns held at once (examples are taken
     *                    in chunks; at least one example at a time)
     * @param target      {@code Din x Din}, dense C order, the input's type; every entry is written
     * @param kernels     the kernels that run the products
     */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    static void into(Conv2d conv, INDArray input, long maxElements, INDArray target, ComputeKernels kernels) {
        DataType type = input.dataType();
        long d = conv.inFeatures();
        if (target.dataType() != type || !Tensors.isDenseBuffer(target) || target.rank() != 2 || target.size(0) != d
                || target.size(1) != d) {
            throw new IllegalArgumentException("Conv2d '" + conv.path() + "': the input Gram needs a dense " + d
                    + " x " + d + " target of the input's type, got " + type + " input and " + target.dataType()
                    + " target of shape " + Arrays.toString(target.shape()));
        }
        ConvPatchGram gram = new ConvPatchGram(conv, input.size(1), Math.toIntExact(input.size(2)),
                Math.toIntExact(input.size(3)), kernels);
        long n = input.size(0);
        // the border terms copy out at most kw - 1 excluded columns per side and their partners up to kw - 1 further
        long edgeColumns = Math.min(gram.w, 4L * (gram.kw - 1));
        long perExample = (gram.h + 2L * gram.marginRows) * (gram.rowLength + edgeColumns) * gram.channels;
        long chunk = Math.max(1, maxElements / perExample);
        target.assign(0);
        INDArray blocks = target.reshape('c', gram.channels, (long) gram.kh * gram.kw, gram.channels,
                (long) gram.kh * gram.kw);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (long start = 0; start < n; start += chunk) {
                long end = Math.min(n, start + chunk);
                gram.layOut(input.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.all()));
                gram.addBlocks(blocks);
                gram.release();
            }
        }
    }

    /**
     * For each kernel offset along one axis, the interior pixels it reads, {@code [from, to)} with
     * {@code 0 <= from <= to <= size} (empty where the offset reads only padding, as an outer offset of a kernel
     * larger than a padded one-pixel image does).
     */
    private static int[][] windows(int kernel, int padding, int outputs, int size) {
        int[][] windows = new int[kernel][];
        for (int i = 0; i < kernel; i++) {
            int from = Math.min(size, Math.max(0, i - padding));
            windows[i] = new int[] {from, Math.max(from, Math.min(size, i - padding + outputs))};
        }
        return windows;
    }

    /**
     * Copies a chunk of images into {@code [marginRows + h + marginRows, rowLength, examples, channels]}, zero
     * outside the image, viewed as a matrix with one row per (pixel, example).
     */
    private void layOut(INDArray chunk) {
        images = chunk;
        examples = chunk.size(0);
        laidOut = Nd4j.zeros(chunk.dataType(), 2L * marginRows + h, rowLength, examples, channels);
        laidOut.get(NDArrayIndex.interval(marginRows, marginRows + h), NDArrayIndex.interval(0, w),
                NDArrayIndex.all(), NDArrayIndex.all()).assign(chunk.permute(2, 3, 0, 1));
        rows = laidOut.reshape('c', (2L * marginRows + h) * rowLength * examples, channels);
    }

    /**
     * Image column c of the chunk as {@code [marginRows + h + marginRows, examples, channels]}, zero above and below,
     * viewed as a matrix with one row per (pixel, example): the column borders of a block are then one GEMM per
     * column instead of one per image row. Laid out when first needed (only columns near the image's left and right
     * edges are).
     */
    private INDArray column(int c) {
        INDArray column = columns.computeIfAbsent(c, key -> {
            INDArray laidOutColumn = Nd4j.zeros(images.dataType(), 2L * marginRows + h, examples, channels);
            laidOutColumn.get(NDArrayIndex.interval(marginRows, marginRows + h), NDArrayIndex.all(),
                    NDArrayIndex.all()).assign(images.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.point(c)).permute(2, 0, 1));
            return laidOutColumn;
        });
        return column.reshape('c', (2L * marginRows + h) * examples, channels);
    }

    /** Frees the chunk's laid-out copies (the arrays themselves: their matrix views share the memory). */
    private void release() {
        laidOut.close();
        columns.values().forEach(INDArray::close);
        columns.clear();
    }

    /** Adds this chunk's block (t1, t2) for every t1 &lt;= t2, and its transpose at (t2, t1). */
    private void addBlocks(INDArray blocks) {
        Map<Integer, INDArray> fullSums = new HashMap<>();
        INDArray block = Nd4j.create(rows.dataType(), channels, channels);
        int area = kh * kw;
        for (int t1 = 0; t1 < area; t1++) {
            for (int t2 = t1; t2 < area; t2++) {
                int i1 = t1 / kw;
                int j1 = t1 % kw;
                int di = t2 / kw - i1;
                int dj = t2 % kw - j1;
                INDArray full = fullSums.computeIfAbsent(di * (2 * kw) + dj, key -> fullSum(di, dj));
                block.assign(full);
                subtractBorders(rowWindows[i1], columnWindows[j1], di, dj, block);
                blocks.get(NDArrayIndex.all(), NDArrayIndex.point(t1), NDArrayIndex.all(), NDArrayIndex.point(t2))
                        .addi(block);
                if (t2 != t1) {
                    blocks.get(NDArrayIndex.all(), NDArrayIndex.point(t2), NDArrayIndex.all(), NDArrayIndex.point(t1))
                            .addi(block.transpose());
                }
            }
        }
        block.close();
        fullSums.values().forEach(INDArray::close);
    }

    /** The sum over every interior pixel q of {@code x[q] x[q + (di, dj)]^T}. */
    private INDArray fullSum(int di, int dj) {
        INDArray sum = Nd4j.create(rows.dataType(), channels, channels);
        product(rows, row(0, 0), rows, row(0, 0) + pixelShift(di, dj), (long) h * rowLength * examples, 1.0, 0.0,
                sum);
        return sum;
    }

    /**
     * Subtracts the pixels outside the offset's row and column windows: whole rows above and below, then, within
     * the window's rows, the columns left and right. Terms whose shifted partners all fall outside the image are zero
     * and skipped.
     */
    private void subtractBorders(int[] rowWindow, int[] columnWindow, int di, int dj, INDArray block) {
        subtractRows(0, rowWindow[0], di, dj, block);
        subtractRows(rowWindow[1], h, di, dj, block);
        if (rowWindow[0] < rowWindow[1] && overlaps(rowWindow[0] + di, rowWindow[1] + di, h)) {
            for (int c = 0; c < columnWindow[0]; c++) {
                subtractColumn(c, rowWindow, di, dj, block);
            }
            for (int c = columnWindow[1]; c < w; c++) {
                subtractColumn(c, rowWindow, di, dj, block);
            }
        }
    }

    private void subtractRows(int from, int to, int di, int dj, INDArray block) {
        if (from < to && overlaps(from + di, to + di, h)) {
            product(rows, row(from, 0), rows, row(from, 0) + pixelShift(di, dj),
                    (long) (to - from) * rowLength * examples, -1.0, 1.0, block);
        }
    }

    /** Subtracts column c over the window's rows, paired with column c + dj shifted by di rows. */
    private void subtractColumn(int c, int[] rowWindow, int di, int dj, INDArray block) {
        if (c + dj >= 0 && c + dj < w) {
            long from = (long) (rowWindow[0] + marginRows) * examples;
            product(column(c), from, column(c + dj), from + (long) di * examples,
                    (long) (rowWindow[1] - rowWindow[0]) * examples, -1.0, 1.0, block);
        }
    }

    private static boolean overlaps(int from, int to, int size) {
        return from < size && to > 0;
    }

    /** The matrix row of image pixel (r, c) of the chunk's first example. */
    private long row(int r, int c) {
        return ((long) (r + marginRows) * rowLength + c) * examples;
    }

    /** The row offset between a pixel and the one (di, dj) away. */
    private long pixelShift(int di, int dj) {
        return ((long) di * rowLength + dj) * examples;
    }

    /**
     * {@code out = beta out + alpha sum_f left[leftFrom + f]^T right[rightFrom + f]} over {@code count} rows: one GEMM
     * over two row ranges.
     */
    private void product(INDArray left, long leftFrom, INDArray right, long rightFrom, long count, double alpha,
                         double beta, INDArray out) {
        kernels.gemm(left.get(NDArrayIndex.interval(leftFrom, leftFrom + count), NDArrayIndex.all()),
                right.get(NDArrayIndex.interval(rightFrom, rightFrom + count), NDArrayIndex.all()), out, true, false,
                alpha, beta);
    }
}
