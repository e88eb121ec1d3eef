package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Small tensor helpers shared by the layers: validation with clear messages and copy stacking. */
public final class Tensors {
    private Tensors() {
    }

    /**
     * Stacks {@code copies} copies of {@code x} along dimension 0 (copy-major), or returns x when copies is 1.
     *
     * @param x      a batch of N rows along dimension 0, any rank
     * @param copies how many times to repeat it, at least 1
     * @return {@code x} itself when {@code copies} is 1, otherwise a new array of {@code copies * N} rows whose row
     *         {@code c * N + n} is row n of x
     */
    public static INDArray repeatCopies(INDArray x, int copies) {
        if (copies == 1) {
            return x;
        }
        long[] reps = new long[x.rank()];
        Arrays.fill(reps, 1);
        reps[0] = copies;
        return Nd4j.tile(x, Arrays.stream(reps).mapToInt(Math::toIntExact).toArray());
    }

    /**
     * Throws {@link IllegalArgumentException} naming {@code what} when x holds NaN or infinity.
     *
     * @param x    the array to check, any shape and type (integer arrays always pass)
     * @param what how the message names x, such as {@code "network input"}
     * @throws IllegalArgumentException if any entry of x is NaN or infinite
     */
    public static void requireFinite(INDArray x, String what) {
        if (!allFinite(x)) {
            throw new IllegalArgumentException(what + " contains NaN or infinite values");
        }
    }

    /**
     * Whether every entry of x is finite (true for non-floating arrays). One sum decides it when it is finite, since
     * a NaN or an infinity makes any sum NaN or infinite; only a non-finite sum, which an overflow of finite entries
     * can also give, is examined entry by entry. (The entry-wise test alone allocates two boolean arrays and took
     * ten times as long on large Kronecker factors.)
     *
     * @param x the array to check, any shape and type
     * @return true when no entry is NaN or infinite (also for empty and integer arrays)
     */
    public static boolean allFinite(INDArray x) {
        if (!x.isR() || x.isEmpty()) {
            return true;
        }
        if (Double.isFinite(EntrySums.sum(x))) {
            return true;
        }
        return !(x.isInfinite().any() || x.isNaN().any());
    }

    /**
     * Throws when x's rank is not one of the allowed ranks.
     *
     * @param x     the array to check
     * @param what  how the message names x
     * @param ranks the allowed ranks
     * @throws IllegalArgumentException if x's rank is none of {@code ranks}; the message gives x's shape
     */
    public static void requireRank(INDArray x, String what, int... ranks) {
        for (int r : ranks) {
            if (x.rank() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(what + " must have rank " + Arrays.toString(ranks) + ", got shape "
                + Arrays.toString(x.shape()));
    }

    /**
     * Throws when dimension {@code dim} of x differs from {@code expected}.
     *
     * @param x        the array to check
     * @param dim      the dimension, counted from the end when negative ({@code -1} is the last)
     * @param expected the required size of that dimension
     * @param what     how the message names x
     * @throws IllegalArgumentException if the size differs; the message gives x's shape
     */
    public static void requireSize(INDArray x, int dim, long expected, String what) {
        int d = dim < 0 ? x.rank() + dim : dim;
        if (x.size(d) != expected) {
            throw new IllegalArgumentException(what + ": dimension " + d + " must be " + expected + ", got shape "
                    + Arrays.toString(x.shape()));
        }
    }

    /**
     * Throws when x and reference differ in any dimension but the first (the row count).
     *
     * @param x         the array to check
     * @param reference an array of the required shape; its row count is ignored
     * @param what      how the message names x
     * @throws IllegalArgumentException if the ranks or any trailing dimension differ; the message gives the expected
     *                                  and the actual shape
     */
    public static void requireSameTrailingShape(INDArray x, INDArray reference, String what) {
        requireSameTrailingShape(x, reference.shape(), what);
    }

    /**
     * Throws when x differs from a shape in any dimension but the first (the row count).
     *
     * @param x              the array to check
     * @param referenceShape the required shape; its row count is ignored
     * @param what           how the message names x
     * @throws IllegalArgumentException if the ranks or any trailing dimension differ; the message gives the expected
     *                                  and the actual shape
     */
    public static void requireSameTrailingShape(INDArray x, long[] referenceShape, String what) {
        boolean same = x.rank() == referenceShape.length;
        for (int d = 1; same && d < x.rank(); d++) {
            same = x.size(d) == referenceShape[d];
        }
        if (!same) {
            long[] expected = referenceShape.clone();
            throw new IllegalArgumentException(what + ": expected shape [rows" + (expected.length > 1 ? ", " : "")
                    + Arrays.stream(expected).skip(1).mapToObj(Long::toString)
                    .collect(java.util.stream.Collectors.joining(", ")) + "], got " + Arrays.toString(x.shape()));
        }
    }

    /**
     * x itself when it is laid out densely in C order (what native ops read directly), otherwise a C-ordered copy.
     *
     * @param x any array
     * @return x, or a C-ordered copy of it with default strides
     */
    public static INDArray dense(INDArray x) {
        return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
    }

    /**
     * x itself when it is its whole buffer, dense in C order from element 0 to the end, otherwise a C-ordered copy:
     * what code that reads the raw memory needs (NIO views of {@code data()} start at the buffer's first element,
     * BLAS gets {@code data().addressPointer()}). ND4J flags every reshape as a view, also the whole-buffer ones, so
     * testing {@code isView()} instead would copy those needlessly.
     *
     * @param x any array
     * @return x, or a C-ordered copy of it that owns its whole buffer
     */
    public static INDArray denseBuffer(INDArray x) {
        return isDenseBuffer(x) ? x : x.dup('c');
    }

    /**
     * Whether {@link #denseBuffer} would return x itself. Axes of size 1 may have any stride (ND4J's default-stride
     * test rejects some of those, e.g. a 1 x 1 matrix).
     *
     * @param x any array
     * @return true when x starts at element 0 of its buffer, covers all of it and is contiguous in C order
     */
    public static boolean isDenseBuffer(INDArray x) {
        return x.offset() == 0 && x.length() == x.data().length() && isContiguous(x);
    }

    /**
     * Whether x lies in C order without gaps from its offset on (axes of size 1 may have any stride), so that its C
     * reshapes are views of the same memory.
     *
     * @param x any array
     * @return true when every axis longer than 1 has the C-order stride of a gap-free layout
     */
    public static boolean isContiguous(INDArray x) {
        long expected = 1;
        for (int d = x.rank() - 1; d >= 0; d--) {
            if (x.size(d) != 1 && x.stride(d) != expected) {
                return false;
            }
            expected *= x.size(d);
        }
        return true;
    }

    /**
     * Rows {@code from .. to - 1} along the first axis of an array of any rank, as a view (no copy).
     *
     * @param a    an array of rank 1 or more
     * @param from first row, inclusive
     * @param to   last row, exclusive, {@code from < to <= a.size(0)}
     * @return the view of those rows, all other axes whole
     */
    public static INDArray firstAxisRange(INDArray a, long from, long to) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        index[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return a.get(index);
    }
}
