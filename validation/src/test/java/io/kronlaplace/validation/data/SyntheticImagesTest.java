package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class SyntheticImagesTest {
    private static final int TRAIN = 600;
    private static final int TEST = 300;

    @Test
    void deterministicShapedBoundedAndBalanced() {
        ImageDataset a = new SyntheticImages().generate("a", 95, 5);
        ImageDataset b = new SyntheticImages().generate("b", 95, 5);
        ImageDataset c = new SyntheticImages().generate("c", 95, 6);
        assertArrayEquals(new long[] {95, 3, 32, 32}, a.images().shape());
        assertEquals(DataType.FLOAT, a.images().dataType());
        assertEquals(a.images(), b.images());
        assertArrayEquals(a.labels(), b.labels());
        assertTrue(!a.images().equals(c.images()));
        assertTrue(a.images().minNumber().doubleValue() >= 0.0 && a.images().maxNumber().doubleValue() <= 1.0);
        int[] counts = new int[10];
        for (int label : a.labels()) {
            counts[label]++;
        }
        for (int count : counts) {
            assertTrue(count == 9 || count == 10, "unbalanced labels");
        }
    }

    /**
     * Not trivial: the nearest class-mean image on raw pixels is far from solving the task, because orientation,
     * position, phase and background vary within each class.
     */
    @Test
    void rawPixelTemplatesDoNotSolveIt() {
        ImageDataset train = new SyntheticImages().generate("train", TRAIN, 1);
        ImageDataset test = new SyntheticImages().generate("test", TEST, 2);
        double[][] x = pixels(train);
        double accuracy = nearestCentroidAccuracy(x, train.labels(), pixels(test), test.labels(), 10);
        assertTrue(accuracy < 0.5, "raw-pixel template accuracy " + accuracy);
    }

    /**
     * Learnable and rotation invariant: rotation-invariant summaries (radial power spectrum for the pattern family,
     * the red-minus-blue contrast of the pattern for the colour family) classify held-out images well, including
     * images rotated by 20 degrees that the class centroids never saw.
     */
    @Test
    void invariantFeaturesSeparateTheClassesAlsoAfterRotation() {
        ImageDataset train = new SyntheticImages().generate("train", TRAIN, 1);
        ImageDataset test = new SyntheticImages().generate("test", TEST, 2);
        ImageDataset rotated = DistributionShift.rotate(test, 20);
        double clean = invariantFeatureAccuracy(train, test);
        double turned = invariantFeatureAccuracy(train, rotated);
        assertTrue(clean > 0.85, "clean accuracy " + clean);
        assertTrue(turned > 0.7, "accuracy after rotating 20 degrees " + turned);
    }

    /**
     * The upright variant keeps the classes of the default one (the rotation-invariant features still separate them,
     * also after a rotation) but draws every stripe pattern close to upright: its intensity varies along x, not y,
     * while the default's stripes run in every direction.
     */
    @Test
    void uprightVariantHasTheSameClassesInNearlyUprightOrientations() {
        SyntheticImages upright = new SyntheticImages(SyntheticImages.Variant.UPRIGHT_PATTERNS, 0.1);
        ImageDataset train = upright.generate("train", TRAIN, 1);
        ImageDataset test = upright.generate("test", TEST, 2);
        assertTrue(invariantFeatureAccuracy(train, test) > 0.85, "clean accuracy");
        assertTrue(invariantFeatureAccuracy(train, DistributionShift.rotate(test, 20)) > 0.7, "accuracy at 20 deg");
        assertEquals(1.0, verticalStripeFraction(test), 1e-12);
        double anyDirection = verticalStripeFraction(new SyntheticImages().generate("test", TEST, 2));
        assertTrue(anyDirection > 0.3 && anyDirection < 0.7, "default variant: fraction " + anyDirection);
    }

    /** In the orientation variant, the same radial features carry no information (chance is 0.1). */
    @Test
    void orientedVariantNeedsOrientation() {
        SyntheticImages oriented = new SyntheticImages(SyntheticImages.Variant.ORIENTED_GRATINGS, 0.1);
        ImageDataset train = oriented.generate("train", TRAIN, 1);
        ImageDataset test = oriented.generate("test", TEST, 2);
        double[][] ftrain = spectra(train);
        double accuracy = nearestCentroidAccuracy(ftrain, train.labels(), spectra(test), test.labels(), 10);
        assertTrue(accuracy < 0.3, "orientation-blind accuracy " + accuracy);
    }

    @Test
    void smoothNoiseIsInRangeAndShaped() {
        ImageDataset noise = SyntheticImages.smoothNoise("ood", 7, 3);
        assertArrayEquals(new long[] {7, 3, 32, 32}, noise.images().shape());
        assertTrue(noise.images().minNumber().doubleValue() >= 0 && noise.images().maxNumber().doubleValue() <= 1);
    }

    @Test
    void oneChannelTwentyEightPixelNoiseIsOutOfDistributionForMnistShapedData() {
        ImageDataset noise = SyntheticImages.smoothNoise("ood", 5, 1, 28, 28, 10, 4);
        assertArrayEquals(new long[] {5, 1, 28, 28}, noise.images().shape());
        assertTrue(noise.images().minNumber().doubleValue() >= 0 && noise.images().maxNumber().doubleValue() <= 1);
        assertEquals(noise.images(), SyntheticImages.smoothNoise("ood", 5, 1, 28, 28, 10, 4).images());
        ImageDataset mnistShaped = new ImageDataset("digits", Nd4j.zeros(DataType.FLOAT, 2, 1, 28, 28), new int[2],
                10);
        assertEquals(ShiftKind.OUT_OF_DISTRIBUTION,
                DistributionShift.outOfDistribution(mnistShaped, noise).kind());
        // smooth fields: neighbouring pixels differ far less than pixels of different images
        double neighbour = 0;
        double across = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 27; x++) {
                neighbour += Math.abs(noise.images().getDouble(0, 0, y, x) - noise.images().getDouble(0, 0, y, x + 1));
                across += Math.abs(noise.images().getDouble(0, 0, y, x) - noise.images().getDouble(1, 0, y, x));
            }
        }
        assertTrue(neighbour < 0.6 * across, neighbour + " vs " + across);
        assertEquals(SyntheticImages.smoothNoise("ood", 2, 3).images(),
                SyntheticImages.smoothNoise("ood", 2, 3, 32, 32, 10, 3).images());
        assertThrows(IllegalArgumentException.class, () -> SyntheticImages.smoothNoise("ood", 1, 0, 28, 28, 10, 4));
    }

    @Test
    void hsvPrimaries() {
        assertArrayEquals(new double[] {1, 0, 0}, SyntheticImages.hsvToRgb(0, 1, 1), 1e-12);
        assertArrayEquals(new double[] {0, 1, 0}, SyntheticImages.hsvToRgb(120, 1, 1), 1e-12);
        assertArrayEquals(new double[] {0, 0, 1}, SyntheticImages.hsvToRgb(-120, 1, 1), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, SyntheticImages.hsvToRgb(77, 0, 0.5), 1e-12);
    }

    /**
     * Among the stripe images (pattern families 0 and 1), the fraction whose squared differences between horizontal
     * neighbours exceed those between vertical neighbours on the main colour axis: stripes within 45 degrees of
     * vertical.
     */
    private static double verticalStripeFraction(ImageDataset data) {
        double[][] x = pixels(data);
        int n = 32;
        int stripes = 0;
        int vertical = 0;
        for (int i = 0; i < data.size(); i++) {
            if (data.label(i) % 5 > 1) {
                continue;
            }
            double[] projection = principalProjection(x[i]);
            double alongX = 0;
            double alongY = 0;
            for (int row = 0; row < n - 1; row++) {
                for (int col = 0; col < n - 1; col++) {
                    double here = projection[row * n + col];
                    alongX += Math.pow(projection[row * n + col + 1] - here, 2);
                    alongY += Math.pow(projection[(row + 1) * n + col] - here, 2);
                }
            }
            stripes++;
            vertical += alongX > alongY ? 1 : 0;
        }
        return (double) vertical / stripes;
    }

    private static double invariantFeatureAccuracy(ImageDataset train, ImageDataset test) {
        int[] trainFamily = new int[train.size()];
        for (int i = 0; i < trainFamily.length; i++) {
            trainFamily[i] = train.label(i) % 5;
        }
        double[][] trainSpectra = spectra(train);
        double[][] testSpectra = spectra(test);
        double[][] centroids = centroids(trainSpectra, trainFamily, 5);
        int correct = 0;
        double[][] testPixels = pixels(test);
        for (int i = 0; i < test.size(); i++) {
            int family = nearest(centroids, testSpectra[i]);
            int colour = redMinusBlue(testPixels[i]) > 0 ? 0 : 1;
            if (family + 5 * colour == test.label(i)) {
                correct++;
            }
        }
        return (double) correct / test.size();
    }

    /**
     * Log mean power of the image's projection on its main colour axis (where the pattern has the most contrast)
     * in 16 rings of unit width of its 2-D DFT: a rotation-invariant description of
     * shape. The image is windowed by a centred disk of radius 15 px (mean removed inside it) so that the empty
     * corners of rotated images do not matter.
     */
    private static double[][] spectra(ImageDataset data) {
        double[][] x = pixels(data);
        int n = 32;
        double[] cos = new double[n];
        double[] sin = new double[n];
        for (int k = 0; k < n; k++) {
            cos[k] = Math.cos(-2 * Math.PI * k / n);
            sin[k] = Math.sin(-2 * Math.PI * k / n);
        }
        double centre = (n - 1) / 2.0;
        double[][] features = new double[data.size()][16];
        for (int i = 0; i < data.size(); i++) {
            double[] grey = new double[n * n];
            double mean = 0;
            int inside = 0;
            double[] projection = principalProjection(x[i]);
            for (int p = 0; p < n * n; p++) {
                if (Math.hypot(p / n - centre, p % n - centre) <= 15) {
                    grey[p] = projection[p];
                    mean += grey[p];
                    inside++;
                }
            }
            mean /= inside;
            for (int p = 0; p < n * n; p++) {
                if (Math.hypot(p / n - centre, p % n - centre) <= 15) {
                    grey[p] -= mean;
                }
            }
            double[][] re = new double[n][n];
            double[][] im = new double[n][n];
            for (int y = 0; y < n; y++) {
                for (int k = 0; k < n; k++) {
                    for (int xx = 0; xx < n; xx++) {
                        re[y][k] += grey[y * n + xx] * cos[k * xx % n];
                        im[y][k] += grey[y * n + xx] * sin[k * xx % n];
                    }
                }
            }
            int[] count = new int[16];
            for (int ky = 0; ky < n; ky++) {
                for (int kx = 0; kx < n; kx++) {
                    double r = 0;
                    double s = 0;
                    for (int y = 0; y < n; y++) {
                        double c = cos[ky * y % n];
                        double t = sin[ky * y % n];
                        r += re[y][kx] * c - im[y][kx] * t;
                        s += re[y][kx] * t + im[y][kx] * c;
                    }
                    int fy = ky <= n / 2 ? ky : ky - n;
                    int fx = kx <= n / 2 ? kx : kx - n;
                    int ring = (int) Math.hypot(fy, fx);
                    if (ring < 16) {
                        features[i][ring] += r * r + s * s;
                        count[ring]++;
                    }
                }
            }
            double meanLog = 0;
            for (int b = 0; b < 16; b++) {
                features[i][b] = Math.log(features[i][b] / count[b] + 1e-9);
                meanLog += features[i][b] / 16;
            }
            // contrast scales the whole spectrum: keep only its shape
            for (int b = 0; b < 16; b++) {
                features[i][b] -= meanLog;
            }
        }
        return features;
    }

    /**
     * Red minus blue of (pattern end - background end) of the pixels' main colour axis: the pattern end is the more
     * saturated of the two extreme tenths along the axis of largest variance.
     */
    private static double redMinusBlue(double[] image) {
        int n = 32 * 32;
        double[] projection = principalProjection(image);
        double[] sorted = projection.clone();
        Arrays.sort(sorted);
        double low = sorted[n / 10];
        double high = sorted[n - 1 - n / 10];
        double[] lowEnd = new double[3];
        double[] highEnd = new double[3];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                if (projection[p] <= low) {
                    lowEnd[c] += image[c * n + p];
                } else if (projection[p] >= high) {
                    highEnd[c] += image[c * n + p];
                }
            }
        }
        double[] pattern = saturation(highEnd) >= saturation(lowEnd) ? highEnd : lowEnd;
        double[] background = pattern == highEnd ? lowEnd : highEnd;
        double patternSum = pattern[0] + pattern[1] + pattern[2];
        double backgroundSum = background[0] + background[1] + background[2];
        return (pattern[0] - pattern[2]) / patternSum - (background[0] - background[2]) / backgroundSum;
    }

    /** Pixel colours (c-major planes of 32 x 32) projected on their axis of largest variance (power iteration). */
    private static double[] principalProjection(double[] image) {
        int n = 32 * 32;
        double[] mean = new double[3];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < n; p++) {
                mean[c] += image[c * n + p] / n;
            }
        }
        double[] axis = {1, 1, 1};
        for (int iteration = 0; iteration < 30; iteration++) {
            double[] next = new double[3];
            for (int p = 0; p < n; p++) {
                double dot = 0;
                for (int c = 0; c < 3; c++) {
                    dot += (image[c * n + p] - mean[c]) * axis[c];
                }
                for (int c = 0; c < 3; c++) {
                    next[c] += dot * (image[c * n + p] - mean[c]);
                }
            }
            double norm = Math.sqrt(next[0] * next[0] + next[1] * next[1] + next[2] * next[2]);
            for (int c = 0; c < 3; c++) {
                axis[c] = next[c] / norm;
            }
        }
        double[] projection = new double[n];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                projection[p] += (image[c * n + p] - mean[c]) * axis[c];
            }
        }
        return projection;
    }

    private static double saturation(double[] colour) {
        double max = Math.max(colour[0], Math.max(colour[1], colour[2]));
        double min = Math.min(colour[0], Math.min(colour[1], colour[2]));
        return (max - min) / max;
    }

    private static double[][] pixels(ImageDataset data) {
        return data.images().castTo(DataType.DOUBLE).reshape(data.size(), 3 * 32 * 32).toDoubleMatrix();
    }

    private static double nearestCentroidAccuracy(double[][] train, int[] trainLabels, double[][] test,
            int[] testLabels, int classes) {
        double[][] centroids = centroids(train, trainLabels, classes);
        int correct = 0;
        for (int i = 0; i < test.length; i++) {
            if (nearest(centroids, test[i]) == testLabels[i]) {
                correct++;
            }
        }
        return (double) correct / test.length;
    }

    private static double[][] centroids(double[][] x, int[] labels, int classes) {
        double[][] centroids = new double[classes][x[0].length];
        int[] counts = new int[classes];
        for (int i = 0; i < x.length; i++) {
            counts[labels[i]]++;
            for (int d = 0; d < x[i].length; d++) {
                centroids[labels[i]][d] += x[i][d];
            }
        }
        for (int k = 0; k < classes; k++) {
            for (int d = 0; d < centroids[k].length; d++) {
                centroids[k][d] /= counts[k];
            }
        }
        return centroids;
    }

    private static int nearest(double[][] centroids, double[] x) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int k = 0; k < centroids.length; k++) {
            double d = 0;
            for (int j = 0; j < x.length; j++) {
                d += (x[j] - centroids[k][j]) * (x[j] - centroids[k][j]);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }
}
