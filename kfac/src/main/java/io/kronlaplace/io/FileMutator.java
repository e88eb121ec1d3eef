package io.kronlaplace.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A seeded mutator of valid files, for fuzzing the readers: bit flips, truncation, appended bytes, and 4- or 8-byte
 * fields (lengths, counts, shapes) overwritten with extreme values in either byte order. For a checksummed format a
 * {@code checksum} function can rewrite the stored checksum after the mutation, so that the parser behind the
 * checksum sees the damaged content. Deterministic for a seed. See docs/file-formats.md, section Fuzzing.
 */
public final class FileMutator {
    /** The ways a file is changed. */
    public enum Kind {
        /** One to three random bits inverted. */
        BIT_FLIP,
        /** The file cut at a random length. */
        TRUNCATE,
        /** One to sixteen random bytes appended. */
        APPEND,
        /** A 4- or 8-byte field overwritten with 0, -1, a maximum or a power of two near it. */
        EXTREME_FIELD
    }

    /**
     * One mutated file.
     *
     * @param kind  what was done
     * @param bytes the mutated content
     */
    public record Mutation(Kind kind, byte[] bytes) {
    }

    private static final long[] EXTREMES = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 31, 1L << 32,
        1L << 62, 2305843009213693952L, Long.MAX_VALUE, Long.MIN_VALUE, 65535};

    private final SplittableRandom random;

    /**
     * A mutator whose sequence of mutations is fixed by {@code seed}.
     *
     * @param seed any seed; two mutators with the same seed make the same mutations of the same files
     */
    public FileMutator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * A mutation of {@code original}; {@code checksum} (identity for formats without one) rewrites the stored
     * checksum of the result.
     *
     * @param original the valid file's content, not empty; it is not modified
     * @param checksum applied to the mutated bytes last; returns them with the format's stored checksum recomputed
     *                 (it may change them in place), or {@link UnaryOperator#identity()} for formats without one
     * @return the kind of mutation drawn and the resulting bytes; an {@link Kind#EXTREME_FIELD} mutation of a file
     *         shorter than the field leaves the content as it was
     * @throws IllegalArgumentException when {@code original} is empty
     */
    public Mutation mutate(byte[] original, UnaryOperator<byte[]> checksum) {
        if (original.length == 0) {
            throw new IllegalArgumentException("cannot mutate an empty file");
        }
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        byte[] b = original.clone();
        switch (kind) {
            case BIT_FLIP -> {
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    int bit = random.nextInt(b.length * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case TRUNCATE -> b = Arrays.copyOf(b, random.nextInt(b.length));
            case APPEND -> {
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                b = Arrays.copyOf(b, b.length + extra.length);
                System.arraycopy(extra, 0, b, original.length, extra.length);
            }
            case EXTREME_FIELD -> {
                int width = random.nextBoolean() ? 4 : 8;
                if (b.length >= width) {
                    ByteBuffer field = ByteBuffer.wrap(b, random.nextInt(b.length - width + 1), width)
                            .order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                    long value = EXTREMES[random.nextInt(EXTREMES.length)];
                    if (width == 4) {
                        field.putInt(field.position(), (int) value);
                    } else {
                        field.putLong(field.position(), value);
                    }
                }
            }
        }
        return new Mutation(kind, checksum.apply(b));
    }
}
