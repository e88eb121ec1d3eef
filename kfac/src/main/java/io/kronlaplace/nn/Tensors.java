package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/** Small tensor helpers shared by the layers: validation with clear messages and copy stacking. */
public final class Tensors {
    private Tensors() {
    }

    /** Stacks {@code copies} copies of {@code x} along dimension 0 (copy-major), or returns x when copies is 1. */
    public static INDArray repeatCopies(INDArray x, int copies) {
        if (copies == 1) {
            return x;
        }
        long[] reps = new long[x.rank()];
        Arrays.fill(reps, 1);
        reps[0] = copies;
        return Nd4j.tile(x, Arrays.stream(reps).mapToInt(Math::toIntExact).toArray());
    }

    /** Throws {@link IllegalArgumentException} naming {@code what} when x holds NaN or infinity. */
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
     */
    public static boolean allFinite(INDArray x) {
        if (!x.isR() || x.isEmpty()) {
            return true;
        }
        if (Double.isFinite(x.sumNumber().doubleValue())) {
            return true;
        }
        return !(x.isInfinite().any() || x.isNaN().any());
    }

    /** Throws when x's rank is not one of the allowed ranks. */
    public static void requireRank(INDArray x, String what, int... ranks) {
        for (int r : ranks) {
            if (x.rank() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(what + " must have rank " + Arrays.toString(ranks) + ", got shape "
                + Arrays.toString(x.shape()));
    }

    /** Throws when dimension {@code dim} of x differs from {@code expected}. */
    public static void requireSize(INDArray x, int dim, long expected, String what) {
        int d = dim < 0 ? x.rank() + dim : dim;
        if (x.size(d) != expected) {
            throw new IllegalArgumentException(what + ": dimension " + d + " must be " + expected + ", got shape "
                    + Arrays.toString(x.shape()));
        }
    }

    /** Throws when x and reference differ in any dimension but the first (the row count). */
    public static void requireSameTrailingShape(INDArray x, INDArray reference, String what) {
        boolean same = x.rank() == reference.rank();
        for (int d = 1; same && d < x.rank(); d++) {
            same = x.size(d) == reference.size(d);
        }
        if (!same) {
            long[] expected = reference.shape().clone();
            throw new IllegalArgumentException(what + ": expected shape [rows" + (expected.length > 1 ? ", " : "")
                    + Arrays.stream(expected).skip(1).mapToObj(Long::toString)
                    .collect(java.util.stream.Collectors.joining(", ")) + "], got " + Arrays.toString(x.shape()));
        }
    }

    /**
     * x itself when it is laid out densely in C order (what native ops read directly), otherwise a C-ordered copy.
     */
    public static INDArray dense(INDArray x) {
        return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
    }

    /**
     * x itself when it is its whole buffer, dense in C order from element 0 to the end, otherwise a C-ordered copy:
     * what code that reads the raw memory needs (NIO views of {@code data()} start at the buffer's first element,
     * BLAS gets {@code data().addressPointer()}). ND4J flags every reshape as a view, also the whole-buffer ones, so
     * testing {@code isView()} instead would copy those needlessly.
     */
    public static INDArray denseBuffer(INDArray x) {
        return isDenseBuffer(x) ? x : x.dup('c');
    }

    /**
     * Whether {@link #denseBuffer} would return x itself. Axes of size 1 may have any stride (ND4J's default-stride
     * test rejects some of those, e.g. a 1 x 1 matrix).
     */
    public static boolean isDenseBuffer(INDArray x) {
        return x.offset() == 0 && x.length() == x.data().length() && isContiguous(x);
    }

    /**
     * Whether x lies in C order without gaps from its offset on (axes of size 1 may have any stride), so that its C
     * reshapes are views of the same memory.
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
}
