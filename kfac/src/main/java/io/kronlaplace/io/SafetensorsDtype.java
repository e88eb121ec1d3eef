package io.kronlaplace.io;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * The element types this library reads and writes in safetensors files, with their on-disk names and the conversions
 * to and from Java numbers. Every value is little-endian. See docs/pytorch-import.md, section Safetensors.
 */
public enum SafetensorsDtype {
    /** IEEE 754 binary16: 1 sign, 5 exponent, 10 fraction bits. */
    F16(2),
    /** bfloat16: the upper 16 bits of a binary32, 1 sign, 8 exponent, 7 fraction bits. */
    BF16(2),
    /** IEEE 754 binary32. */
    F32(4),
    /** IEEE 754 binary64. */
    F64(8),
    /** Two's-complement 64-bit integer (PyTorch's {@code num_batches_tracked}). */
    I64(8);

    private final int width;

    SafetensorsDtype(int width) {
        this.width = width;
    }

    /**
     * Bytes per element.
     *
     * @return 2, 4 or 8
     */
    public int width() {
        return width;
    }

    /**
     * Whether this is a floating-point type.
     *
     * @return false for I64 only
     */
    public boolean isFloatingPoint() {
        return this != I64;
    }

    /**
     * The type called {@code name} in a safetensors header.
     *
     * @param name the header's spelling, e.g. {@code "F32"}
     * @return the type, or empty for any other name
     */
    public static Optional<SafetensorsDtype> byName(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }

    /** Element {@code index} of little-endian {@code data} as a double (I64 beyond 2^53 rounds to the nearest). */
    double read(ByteBuffer data, int index) {
        int at = index * width;
        return switch (this) {
            case F16 -> halfToFloat(data.getShort(at));
            case BF16 -> Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
            case F32 -> data.getFloat(at);
            case F64 -> data.getDouble(at);
            case I64 -> data.getLong(at);
        };
    }

    /**
     * Stores {@code value} as element {@code index}, rounding to the nearest representable value (ties to even); I64
     * requires an integer within the long range.
     */
    void write(ByteBuffer data, int index, double value) {
        int at = index * width;
        switch (this) {
            case F16 -> data.putShort(at, floatToHalf((float) value));
            case BF16 -> data.putShort(at, floatToBfloat16((float) value));
            case F32 -> data.putFloat(at, (float) value);
            case F64 -> data.putDouble(at, value);
            case I64 -> {
                long exact = (long) value;
                if (exact != value || Math.abs(value) >= 0x1p63) {
                    throw new IllegalArgumentException("I64 element " + index + " must be an integer, got " + value);
                }
                data.putLong(at, exact);
            }
        }
    }

    /** The binary16 value with bit pattern {@code bits}, exactly (every binary16 value is a binary32 value). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (fraction << 13));
        }
        if (exponent == 0) {
            // subnormal: fraction * 2^-24, exact in binary32
            float magnitude = fraction * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (fraction << 13));
    }

    /** The binary16 nearest to {@code value} (ties to even), infinity beyond 65520, NaN kept as a quiet NaN. */
    static short floatToHalf(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int exponent = (f >>> 23) & 0xff;
        int mantissa = f & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int unbiased = exponent - 127;
        if (unbiased > 15) {
            return (short) (sign | 0x7c00);
        }
        if (unbiased >= -14) {
            // normal binary16: keep 10 of the 23 fraction bits, round the 13 dropped bits to nearest even
            int half = ((unbiased + 15) << 10) | (mantissa >>> 13);
            return (short) (sign | roundDropped(half, mantissa & 0x1fff, 13));
        }
        if (unbiased < -25) {
            return (short) sign;
        }
        // subnormal binary16: the significand with its implicit bit, shifted to units of 2^-24
        int significand = mantissa | 0x800000;
        int shift = -unbiased - 1;
        int kept = significand >>> shift;
        int dropped = significand & ((1 << shift) - 1);
        return (short) (sign | roundDropped(kept, dropped, shift));
    }

    /** The bfloat16 nearest to {@code value} (ties to even), NaN kept as a quiet NaN. */
    static short floatToBfloat16(float value) {
        int f = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((f >>> 16) | 0x40);
        }
        return (short) roundDropped(f >>> 16, f & 0xffff, 16);
    }

    /**
     * Rounds {@code kept} (the retained high bits) by the {@code bits} low bits {@code dropped}: up when they exceed
     * one half, and on an exact half when {@code kept} is odd. A carry out of the fraction correctly increments the
     * exponent, up to infinity.
     */
    private static int roundDropped(int kept, int dropped, int bits) {
        int halfway = 1 << (bits - 1);
        if (dropped > halfway || (dropped == halfway && (kept & 1) == 1)) {
            return kept + 1;
        }
        return kept;
    }
}
