package io.kronlaplace.spark;

import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An array as plain Java values, for shipping to executors (ND4J arrays are not Java-serialisable): float64, float32
 * and integer arrays keep their type, so rebuilding gives bit-identical values.
 */
final class ShippedArray implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final long[] shape;
    private final double[] doubles;
    private final float[] floats;
    private final long[] longs;

    private ShippedArray(long[] shape, double[] doubles, float[] floats, long[] longs) {
        this.shape = shape;
        this.doubles = doubles;
        this.floats = floats;
        this.longs = longs;
    }

    /**
     * The values of an array of type DOUBLE, FLOAT or an integer type.
     *
     * @throws IllegalArgumentException for other types
     */
    static ShippedArray of(INDArray array) {
        Objects.requireNonNull(array, "array");
        INDArray c = array.dup('c');
        long[] shape = c.shape().clone();
        DataType type = c.dataType();
        if (type == DataType.DOUBLE) {
            return new ShippedArray(shape, c.data().asDouble(), null, null);
        }
        if (type == DataType.FLOAT) {
            return new ShippedArray(shape, null, c.data().asFloat(), null);
        }
        if (type.isIntType()) {
            return new ShippedArray(shape, null, null, c.data().asLong());
        }
        throw new IllegalArgumentException("cannot ship an array of type " + type + " (DOUBLE, FLOAT or integers)");
    }

    /** The array rebuilt with its type and shape. */
    INDArray toArray() {
        INDArray flat;
        if (doubles != null) {
            flat = Nd4j.createFromArray(doubles);
        } else if (floats != null) {
            flat = Nd4j.createFromArray(floats);
        } else {
            flat = Nd4j.createFromArray(longs);
        }
        return flat.reshape('c', shape);
    }

    @Override
    public String toString() {
        return "ShippedArray" + Arrays.toString(shape);
    }
}
