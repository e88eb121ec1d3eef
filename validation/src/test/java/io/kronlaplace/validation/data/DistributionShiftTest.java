package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DistributionShiftTest {
    private static ImageDataset sample() {
        return new SyntheticImages().generate("test", 6, 3).castTo(DataType.DOUBLE);
    }

    @Test
    void ninetyDegreesCounterClockwiseIsAnExactIndexRotation() {
        ImageDataset data = sample();
        INDArray x = data.images();
        INDArray r = DistributionShift.rotate(data, 90).images();
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int w = 0; w < 32; w++) {
                        // the top row of the output is the right-most column of the input
                        assertEquals(x.getDouble(i, c, w, 31 - y), r.getDouble(i, c, y, w), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void zeroAndFullTurnsAreIdentities() {
        ImageDataset data = sample();
        assertTrue(data.images().equalsWithEps(DistributionShift.rotate(data, 0).images(), 1e-12));
        assertTrue(data.images().equalsWithEps(DistributionShift.rotate(data, 360).images(), 1e-9));
    }

    @Test
    void bilinearValueOfACornerAtFortyFiveDegrees() {
        // 3 x 3 image: output (0, 0) maps to source row 1 - sqrt(2), column 1, i.e. between the zero row above
        // the image and pixel (0, 1), with weight 2 - sqrt(2) on the pixel
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        ImageDataset tiny = new ImageDataset("t", Nd4j.createFromArray(v).reshape(1, 1, 3, 3), new int[1], 1);
        INDArray r = DistributionShift.rotate(tiny, 45).images();
        assertEquals((2 - Math.sqrt(2)) * 2, r.getDouble(0, 0, 0, 0), 1e-12);
        assertEquals(5, r.getDouble(0, 0, 1, 1), 1e-12);
    }

    @Test
    void rotationSetsCarryKindLevelAndName() {
        List<ShiftedDataset> sets = DistributionShift.rotations(sample(), 15, 30);
        assertEquals(2, sets.size());
        assertEquals(ShiftKind.ROTATION, sets.get(1).kind());
        assertEquals(30.0, sets.get(1).level(), 0);
        assertEquals("test rotated 30 deg", sets.get(1).name());
        assertArrayEquals(sample().labels(), sets.get(0).dataset().labels());
    }

    @Test
    void gaussianNoiseHasTheRequestedSpreadAndIsSeeded() {
        ImageDataset data = new SyntheticImages().generate("test", 40, 3).castTo(DataType.DOUBLE);
        List<ShiftedDataset> sets = DistributionShift.gaussianNoise(data, 8, 0.05, 0.2);
        INDArray diff = sets.get(1).dataset().images().sub(data.images());
        assertEquals(0.0, diff.meanNumber().doubleValue(), 0.003);
        assertEquals(0.2, diff.stdNumber().doubleValue(), 0.003);
        assertEquals(ShiftKind.GAUSSIAN_NOISE, sets.get(0).kind());
        assertEquals("test noise std 0.05", sets.get(0).name());
        INDArray again = DistributionShift.gaussianNoise(data, 8, 0.05, 0.2).get(1).dataset().images();
        assertEquals(sets.get(1).dataset().images(), again);
        assertNotEquals(sets.get(1).dataset().images(), DistributionShift.addGaussianNoise(data, 0.2, 1).images());
        assertThrows(IllegalArgumentException.class, () -> DistributionShift.addGaussianNoise(data, -1, 1));
    }

    @Test
    void outOfDistributionNeedsMatchingShapesAndCanvasConversionFixesThem() {
        ImageDataset cifarLike = sample();
        double[] grey = new double[2 * 28 * 28];
        for (int k = 0; k < grey.length; k++) {
            grey[k] = (k % 784) / 784.0 + k / 784;
        }
        ImageDataset mnistLike = new ImageDataset("mnist", Nd4j.createFromArray(grey).reshape(2, 1, 28, 28),
                new int[] {3, 4}, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistributionShift.outOfDistribution(cifarLike, mnistLike));
        assertTrue(e.getMessage().contains("1x28x28") && e.getMessage().contains("toCanvas"), e.getMessage());
        ImageDataset canvas = ImageTransforms.toCanvas(mnistLike, 3, 32, 32, -1.0);
        ShiftedDataset ood = DistributionShift.outOfDistribution(cifarLike, canvas);
        assertEquals(ShiftKind.OUT_OF_DISTRIBUTION, ood.kind());
        INDArray x = canvas.images();
        assertEquals(-1.0, x.getDouble(1, 2, 0, 0), 0);
        assertEquals(-1.0, x.getDouble(1, 0, 31, 17), 0);
        for (int c = 0; c < 3; c++) {
            // source (y, x) sits at (y + 2, x + 2)
            assertEquals(mnistLike.images().getDouble(1, 0, 5, 7), x.getDouble(1, c, 7, 9), 0);
        }
        ImageDataset cropped = ImageTransforms.toCanvas(mnistLike, 1, 20, 20, 0);
        assertEquals(mnistLike.images().getDouble(0, 0, 4, 4), cropped.images().getDouble(0, 0, 0, 0), 0);
        assertThrows(IllegalArgumentException.class, () -> ImageTransforms.toCanvas(cifarLike, 1, 32, 32, 0));
    }

    @Test
    void randomRotationsTurnEachImageByItsOwnSeededAngle() {
        // more images than one pixel chunk, so that chunks past the first must find their own angles
        int n = PixelChunks.CHUNK + 7;
        ImageDataset data = new ImageDataset("grid", Nd4j.rand(DataType.DOUBLE, n, 1, 5, 5), new int[n], 2);
        ShiftedDataset shifted = DistributionShift.randomRotations(data, 30, 11);
        double[] angles = DistributionShift.randomAngles(n, 30, 11);
        assertEquals(ShiftKind.ROTATION, shifted.kind());
        assertEquals(30.0, shifted.level());
        assertEquals("grid rotated up to 30 deg", shifted.name());
        for (int i : new int[] {0, 1, PixelChunks.CHUNK + 3}) {
            assertTrue(Math.abs(angles[i]) <= 30 && angles[i] != 0);
            INDArray expected = DistributionShift.rotate(data.subset(new int[] {i}), angles[i]).images();
            assertTrue(expected.equalsWithEps(shifted.dataset().images().get(
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)), 1e-12), "image " + i);
        }
        assertNotEquals(angles[0], angles[1]);
        assertArrayEquals(angles, DistributionShift.randomAngles(n, 30, 11));
        assertNotEquals(angles[0], DistributionShift.randomAngles(n, 30, 12)[0]);
        assertThrows(IllegalArgumentException.class, () -> DistributionShift.randomRotations(data, -1, 1));
    }
}
