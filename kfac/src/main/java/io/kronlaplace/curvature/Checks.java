package io.kronlaplace.curvature;

import io.kronlaplace.nn.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Argument checks shared by the curvature classes, with messages that name the offending value. */
final class Checks {
    private Checks() {
    }

    /** A square float64 copy-free view of a square matrix, or an exception naming {@code what}. */
    static INDArray squareFinite(INDArray m, String what) {
        if (m == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (m.rank() != 2 || m.size(0) != m.size(1)) {
            throw new IllegalArgumentException(what + " must be a square matrix, got shape "
                    + Arrays.toString(m.shape()));
        }
        requireFinite(m, what);
        return m.dataType() == DataType.DOUBLE ? m : m.castTo(DataType.DOUBLE);
    }

    static void requireFinite(INDArray m, String what) {
        if (!Tensors.allFinite(m)) {
            throw new IllegalArgumentException(what + " contains NaN or infinite values");
        }
    }

    /** A flat float64 vector of length {@code dim} from a rank-1 or single-row/column array. */
    static INDArray vector(INDArray v, long dim, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + ": vector is missing");
        }
        boolean vectorShaped = v.rank() == 1 || (v.rank() == 2 && (v.size(0) == 1 || v.size(1) == 1));
        if (!vectorShaped || v.length() != dim) {
            throw new IllegalArgumentException(what + ": expected a vector of length " + dim + ", got shape "
                    + Arrays.toString(v.shape()));
        }
        requireFinite(v, what + ": vector");
        INDArray flat = v.reshape(dim);
        return flat.dataType() == DataType.DOUBLE ? flat : flat.castTo(DataType.DOUBLE);
    }

    /** Rejects non-positive or non-finite prior/likelihood scalings. */
    static void requirePositive(double value, String what) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + value);
        }
    }
}
