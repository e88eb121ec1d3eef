package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeededShuffleTest {
    @Test
    void everyResultIsAPermutation() {
        for (int n : new int[] {0, 1, 2, 7, 1000}) {
            int[] p = SeededShuffle.permutation(n, 5L);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "n = " + n);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameOrderAndOtherSeedsOthers() {
        assertArrayEquals(SeededShuffle.permutation(50, 11L), SeededShuffle.permutation(50, 11L));
        assertFalse(Arrays.equals(SeededShuffle.permutation(50, 11L), SeededShuffle.permutation(50, 12L)));
    }

    /**
     * Orders written down from the three shuffles this class replaced (data sets, training epochs, synthetic labels),
     * run before the change: training resumes must replay exactly these orders.
     */
    @Test
    void ordersMatchTheOnesEarlierRunsUsed() {
        assertArrayEquals(new int[] {2, 9, 0, 7, 6, 1, 5, 3, 4, 8}, SeededShuffle.permutation(10, 0L));
        assertArrayEquals(new int[] {3, 4, 7, 0, 8, 5, 9, 2, 6, 1}, SeededShuffle.permutation(10, 42L));
    }

    @Test
    void shuffleDrawsExactlyLengthMinusOneNumbersFromTheStream() {
        SplittableRandom random = new SplittableRandom(42L);
        SeededShuffle.permutation(10, random);
        // the stream continues where the old loops left it (the synthetic images keep drawing from it)
        assertEquals(-7037763681458882642L, random.nextLong());

        SplittableRandom reference = new SplittableRandom(3L);
        for (int i = 0; i < 6; i++) {
            reference.nextInt(i + 1);
        }
        SplittableRandom used = new SplittableRandom(3L);
        SeededShuffle.shuffle(new int[7], used);
        assertEquals(reference.nextLong(), used.nextLong());
    }

    @Test
    void shuffleMovesValuesNotIndices() {
        int[] values = {10, 20, 30, 40};
        int[] order = SeededShuffle.permutation(4, new SplittableRandom(9L));
        SeededShuffle.shuffle(values, new SplittableRandom(9L));
        for (int i = 0; i < 4; i++) {
            assertEquals(10 * (order[i] + 1), values[i]);
        }
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SeededShuffle.permutation(-1, 0L));
        assertThrows(IllegalArgumentException.class, () -> SeededShuffle.shuffle(null, new SplittableRandom(0)));
        assertThrows(IllegalArgumentException.class, () -> SeededShuffle.shuffle(new int[2], null));
    }
}
