package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class CifarAugmentationTest {
    /** A reference crop-with-padding then optional flip, written from the definition. */
    private static double expected(INDArray x, int i, int c, int y, int w, int top, int left, boolean flip) {
        int width = (int) x.size(3);
        int height = (int) x.size(2);
        int cropColumn = flip ? width - 1 - w : w;
        // padded image has the original at rows/columns 4..4+H-1; the crop starts at (top, left)
        int sy = top + y - 4;
        int sx = left + cropColumn - 4;
        return sy >= 0 && sy < height && sx >= 0 && sx < width ? x.getDouble(i, c, sy, sx) : 0.0;
    }

    @Test
    void everyImageIsACropOfThePaddedImageOptionallyFlipped() {
        ImageDataset data = new SyntheticImages().generate("d", 24, 4).castTo(DataType.DOUBLE);
        INDArray x = data.images();
        INDArray out = new CifarAugmentation(5).apply(x);
        int flips = 0;
        int shifted = 0;
        for (int i = 0; i < 24; i++) {
            int matches = 0;
            for (int top = 0; top <= 8; top++) {
                for (int left = 0; left <= 8; left++) {
                    for (boolean flip : new boolean[] {false, true}) {
                        if (matchesAt(x, out, i, top, left, flip)) {
                            matches++;
                            flips += flip ? 1 : 0;
                            shifted += top != 4 || left != 4 ? 1 : 0;
                        }
                    }
                }
            }
            assertEquals(1, matches, "image " + i + " must match exactly one crop and flip");
        }
        assertTrue(flips > 3 && flips < 21, "flips " + flips);
        assertTrue(shifted > 15, "shifted " + shifted);
    }

    private static boolean matchesAt(INDArray x, INDArray out, int i, int top, int left, boolean flip) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int w = 0; w < 32; w++) {
                    if (out.getDouble(i, c, y, w) != expected(x, i, c, y, w, top, left, flip)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void seededAndKeepsShapeTypeAndLabels() {
        ImageDataset data = new SyntheticImages().generate("d", 8, 4);
        ImageDataset a = new CifarAugmentation(1).apply(data);
        ImageDataset b = new CifarAugmentation(1).apply(data);
        ImageDataset c = new CifarAugmentation(2).apply(data);
        assertEquals(a.images(), b.images());
        assertNotEquals(a.images(), c.images());
        assertEquals(DataType.FLOAT, a.images().dataType());
        assertEquals(data.labels()[3], a.labels()[3]);
        // a second call continues the stream: a new epoch sees new crops
        CifarAugmentation aug = new CifarAugmentation(1);
        aug.apply(data);
        assertNotEquals(a.images(), aug.apply(data).images());
    }
}
