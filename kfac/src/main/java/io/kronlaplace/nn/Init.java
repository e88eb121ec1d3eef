package io.kronlaplace.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deterministic, seeded weight initialisation. Values are drawn in Java from one {@link SplittableRandom} stream, so
 * the same seed gives the same network on every backend and thread count.
 */
public final class Init {
    /** How weights are scaled. */
    public enum Scheme {
        /** He et al.: N(0, 2 / fanIn), for layers followed by ReLU. */
        KAIMING_NORMAL,
        /** Glorot: N(0, 2 / (fanIn + fanOut)). */
        XAVIER_NORMAL,
        /** All zeros (Fixup's zero-initialised residual branches and classifier). */
        ZERO
    }

    private final SplittableRandom random;
    private final DataType type;
    private final Scheme scheme;

    /**
     * An initialiser drawing from a fresh stream.
     *
     * @param seed   seed of the random stream; equal seeds give equal sequences of tensors
     * @param type   floating-point type of the tensors produced
     * @param scheme how {@link #weight} scales its values; not null
     * @throws IllegalArgumentException when {@code type} is not a floating-point type
     */
    public Init(long seed, DataType type, Scheme scheme) {
        if (!type.isFPType()) {
            throw new IllegalArgumentException("parameters must be floating point, got " + type);
        }
        this.random = new SplittableRandom(seed);
        this.type = type;
        this.scheme = scheme;
    }

    /**
     * Kaiming-normal float32 initialisation with the given seed.
     *
     * @param seed seed of the random stream
     * @return an initialiser with {@link Scheme#KAIMING_NORMAL} and {@link DataType#FLOAT}
     */
    public static Init kaiming(long seed) {
        return new Init(seed, DataType.FLOAT, Scheme.KAIMING_NORMAL);
    }

    /**
     * The type of the tensors this initialiser produces.
     *
     * @return a floating-point data type
     */
    public DataType dataType() {
        return type;
    }

    /**
     * The same random stream and type with another scheme (for one layer that needs a different scaling).
     *
     * @param other the scheme of the returned initialiser
     * @return a new initialiser of this type, seeded from the next draw of this one's stream (which advances by
     *         that one draw, so the result is as deterministic as this initialiser)
     */
    public Init with(Scheme other) {
        return new Init(random.nextLong(), type, other);
    }

    /**
     * A weight tensor of the given shape, scaled by fan-in and fan-out.
     *
     * @param shape  the tensor's shape, such as {@code [out, in]} or {@code [Cout, Cin, kh, kw]}
     * @param fanIn  inputs feeding each output unit (in, or {@code Cin * kh * kw}), positive for Kaiming
     * @param fanOut outputs each input unit feeds (out, or {@code Cout * kh * kw}), used by Xavier
     * @return a new tensor of Gaussian values with the scheme's standard deviation (all zeros for
     *         {@link Scheme#ZERO}, which still advances the stream)
     */
    public INDArray weight(long[] shape, long fanIn, long fanOut) {
        double std = switch (scheme) {
            case KAIMING_NORMAL -> Math.sqrt(2.0 / fanIn);
            case XAVIER_NORMAL -> Math.sqrt(2.0 / (fanIn + fanOut));
            case ZERO -> 0.0;
        };
        return normal(shape, std);
    }

    /**
     * Gaussian N(0, std^2) values of the given shape.
     *
     * @param shape the tensor's shape, at most {@link Integer#MAX_VALUE} values in all
     * @param std   the standard deviation (0 gives zeros)
     * @return a new C-ordered tensor of this initialiser's type
     * @throws ArithmeticException when the shape holds more than {@link Integer#MAX_VALUE} values
     */
    public INDArray normal(long[] shape, double std) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = std * gaussian();
        }
        return Nd4j.createFromArray(v).castTo(type).reshape(shape);
    }

    /**
     * A tensor of zeros in this initialiser's type; does not advance the random stream.
     *
     * @param shape the tensor's shape
     * @return a new tensor of zeros
     */
    public INDArray zeros(long... shape) {
        return Nd4j.zeros(type, shape);
    }

    /**
     * A tensor of ones in this initialiser's type; does not advance the random stream.
     *
     * @param shape the tensor's shape
     * @return a new tensor of ones
     */
    public INDArray ones(long... shape) {
        return Nd4j.ones(type, shape);
    }

    private double gaussian() {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
