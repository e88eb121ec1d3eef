package io.kronlaplace.validation.data;

import java.util.SplittableRandom;

/**
 * The one seeded shuffle of the project (Fisher-Yates over {@link SplittableRandom}): data set orders, mini-batch
 * orders of training epochs and the balanced labels of synthetic images all come from here.
 *
 * <p>The order a seed produces is part of the project's reproducibility contract: a resumed training run replays the
 * epoch orders of the interrupted one, so changing the algorithm or the way it draws from the random stream would
 * break bit-for-bit resumes and change every synthetic data set. The loop runs from the last position down and swaps
 * position {@code i} with a uniform {@code j} in {@code [0, i]}, drawing exactly {@code length - 1} integers.
 */
public final class SeededShuffle {
    private SeededShuffle() {
    }

    /**
     * Shuffles {@code values} in place with draws from {@code random} (which advances by {@code length - 1} draws).
     *
     * @param values the array to permute, in place
     * @param random the source of the draws
     */
    public static void shuffle(int[] values, SplittableRandom random) {
        if (values == null || random == null) {
            throw new IllegalArgumentException("values and random must not be null");
        }
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /**
     * A uniformly random permutation of {@code 0..n-1} drawn from {@code random}.
     *
     * @param n      length of the permutation, >= 0
     * @param random the source of the draws
     * @return a permutation of {@code 0..n-1}
     */
    public static int[] permutation(int n, SplittableRandom random) {
        if (n < 0) {
            throw new IllegalArgumentException("permutation size must be >= 0, got " + n);
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        shuffle(perm, random);
        return perm;
    }

    /**
     * The permutation of {@code 0..n-1} that {@code seed} determines.
     *
     * @param n    length of the permutation, >= 0
     * @param seed seed of the draws
     * @return a permutation of {@code 0..n-1}
     */
    public static int[] permutation(int n, long seed) {
        return permutation(n, new SplittableRandom(seed));
    }
}
