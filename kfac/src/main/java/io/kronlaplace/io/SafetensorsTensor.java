package io.kronlaplace.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One named tensor of a safetensors file: element type, shape and the little-endian element bytes in C (row-major)
 * order. Immutable: the bytes are copied in and every accessor returns a fresh copy or conversion.
 */
public final class SafetensorsTensor {
    private final String name;
    private final SafetensorsDtype dtype;
    private final long[] shape;
    private final byte[] data;

    private SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, byte[] data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * A tensor from raw little-endian bytes.
     *
     * @param name  its name in the file, non-empty
     * @param dtype element type
     * @param shape dimensions, each non-negative (empty for a scalar)
     * @param data  {@code prod(shape) * dtype.width()} bytes, copied
     * @return the tensor
     * @throws IllegalArgumentException when the byte count does not match the shape or the name is empty
     */
    public static SafetensorsTensor ofBytes(String name, SafetensorsDtype dtype, long[] shape, byte[] data) {
        if (name == null || name.isEmpty() || dtype == null || shape == null || data == null) {
            throw new IllegalArgumentException("a tensor needs a non-empty name, a dtype, a shape and data");
        }
        long count = elementCount(shape, name);
        if (count > Integer.MAX_VALUE / dtype.width() || count * dtype.width() != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " and "
                    + dtype + " needs " + count + " x " + dtype.width() + " bytes, got " + data.length);
        }
        return new SafetensorsTensor(name, dtype, shape.clone(), data.clone());
    }

    /**
     * A tensor holding {@code value}'s elements (C order) converted to {@code dtype}, rounding to nearest for the
     * 16-bit types.
     *
     * @param name  its name in the file
     * @param value any floating-point or integer array
     * @param dtype element type to store
     * @return the tensor
     * @throws IllegalArgumentException when {@code dtype} is I64 and a value is not an integer
     */
    public static SafetensorsTensor of(String name, INDArray value, SafetensorsDtype dtype) {
        long[] shape = value.shape();
        ByteBuffer out = buffer(Math.toIntExact(value.length() * dtype.width()));
        if (dtype == SafetensorsDtype.I64) {
            long[] longs = value.dup('c').reshape(value.length()).toLongVector();
            for (int i = 0; i < longs.length; i++) {
                out.putLong(i * Long.BYTES, longs[i]);
            }
        } else {
            double[] doubles = value.dup('c').reshape(value.length()).castTo(DataType.DOUBLE).toDoubleVector();
            for (int i = 0; i < doubles.length; i++) {
                dtype.write(out, i, doubles[i]);
            }
        }
        return new SafetensorsTensor(checkedName(name), dtype, shape, out.array());
    }

    /**
     * A 64-bit integer tensor.
     *
     * @param name   its name in the file
     * @param shape  dimensions
     * @param values {@code prod(shape)} values in C order
     * @return the tensor
     */
    public static SafetensorsTensor ofLongs(String name, long[] shape, long... values) {
        ByteBuffer out = buffer(Math.multiplyExact(values.length, Long.BYTES));
        for (int i = 0; i < values.length; i++) {
            out.putLong(i * Long.BYTES, values[i]);
        }
        return ofBytes(name, SafetensorsDtype.I64, shape, out.array());
    }

    /**
     * The tensor's name in its file.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The stored element type.
     *
     * @return the dtype
     */
    public SafetensorsDtype dtype() {
        return dtype;
    }

    /**
     * The dimensions.
     *
     * @return a copy, empty for a scalar
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The number of elements.
     *
     * @return {@code prod(shape)}
     */
    public int elementCount() {
        return data.length / dtype.width();
    }

    /**
     * The little-endian element bytes.
     *
     * @return a copy
     */
    public byte[] bytes() {
        return data.clone();
    }

    /**
     * The elements as doubles: exact for every floating-point type, rounded for I64 beyond 2^53.
     *
     * @return the values in C order
     */
    public double[] toDoubles() {
        ByteBuffer in = view();
        double[] out = new double[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.read(in, i);
        }
        return out;
    }

    /**
     * The elements of an I64 tensor.
     *
     * @return the values in C order
     * @throws IllegalStateException when the tensor holds another type
     */
    public long[] toLongs() {
        if (dtype != SafetensorsDtype.I64) {
            throw new IllegalStateException("tensor '" + name + "' holds " + dtype + ", not I64");
        }
        ByteBuffer in = view();
        long[] out = new long[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = in.getLong(i * Long.BYTES);
        }
        return out;
    }

    /**
     * The tensor as an array of {@code type} with its shape; values are rounded when {@code type} is narrower
     * (F64 to FLOAT).
     *
     * @param type FLOAT or DOUBLE
     * @return a fresh C-ordered array
     */
    public INDArray toINDArray(DataType type) {
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("tensor '" + name + "' converts to FLOAT or DOUBLE, not " + type);
        }
        INDArray flat = Nd4j.createFromArray(toDoubles()).castTo(type);
        return shape.length == 0 ? flat.reshape() : flat.reshape('c', shape);
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String checkedName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tensor needs a non-empty name");
        }
        return name;
    }

    /** {@code prod(shape)} with overflow and sign checks. */
    static long elementCount(long[] shape, String name) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has negative dimension " + d);
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + name + "' has too many elements: "
                        + Arrays.toString(shape), e);
            }
        }
        return count;
    }
}
