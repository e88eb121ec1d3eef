package io.kronlaplace.hyperopt;

import java.util.SplittableRandom;

/**
 * Independent random streams of online training derived from (seed, epoch, purpose), so that a run resumed at an
 * epoch boundary draws exactly what the uninterrupted run would have drawn.
 */
final class RandomStreams {
    /** Shuffling and augmentation noise of the training steps. */
    static final int TRAIN = 1;
    /** Label sampling and augmentation noise of the curvature pass. */
    static final int CURVATURE = 2;
    /** Mini-batches and noise of the augmentation hyper-steps. */
    static final int HYPER = 3;

    private RandomStreams() {
    }

    /** The stream of one purpose in one epoch (a SplitMix64 finaliser of the mixed inputs). */
    static SplittableRandom of(long seed, int epoch, int purpose) {
        long z = seed + 0x9E3779B97F4A7C15L * epoch + 0xBF58476D1CE4E5B9L * purpose;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }
}
