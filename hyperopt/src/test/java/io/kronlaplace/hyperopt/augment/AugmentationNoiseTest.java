package io.kronlaplace.hyperopt.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AugmentationNoiseTest {
    @Test
    void examplesKeepTheirSamplesNoise() {
        AugmentationNoise noise = AugmentationNoise.draw(5, 3, 11L);
        AugmentationNoise part = noise.examples(2, 4);
        assertEquals(2, part.examples());
        assertEquals(3, part.samples());
        for (int row = 0; row < part.rows(); row++) {
            for (int k = 0; k < AffineGenerator.COUNT; k++) {
                assertEquals(noise.epsilon(2 * 3 + row, k), part.epsilon(row, k));
            }
        }
    }

    @Test
    void rejectsEmptyOrOutOfRangeExamples() {
        AugmentationNoise noise = AugmentationNoise.draw(5, 3, 11L);
        assertThrows(IllegalArgumentException.class, () -> noise.examples(3, 3));
        assertThrows(IllegalArgumentException.class, () -> noise.examples(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> noise.examples(4, 6));
    }
}
