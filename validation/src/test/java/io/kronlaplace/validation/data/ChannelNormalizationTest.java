package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ChannelNormalizationTest {
    @Test
    void statisticsMatchBruteForceAndStandardiseTheTrainingSet() {
        ImageDataset train = new SyntheticImages().generate("train", 20, 1).castTo(DataType.DOUBLE);
        ChannelNormalization norm = ChannelNormalization.fit(train);
        INDArray images = train.images();
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sumSq = 0;
            int n = 0;
            for (int i = 0; i < 20; i++) {
                for (int y = 0; y < 32; y++) {
                    for (int w = 0; w < 32; w++) {
                        double v = images.getDouble(i, c, y, w);
                        sum += v;
                        n++;
                    }
                }
            }
            double mean = sum / n;
            for (int i = 0; i < 20; i++) {
                for (int y = 0; y < 32; y++) {
                    for (int w = 0; w < 32; w++) {
                        double d = images.getDouble(i, c, y, w) - mean;
                        sumSq += d * d;
                    }
                }
            }
            assertEquals(mean, norm.mean()[c], 1e-12);
            assertEquals(Math.sqrt(sumSq / n), norm.std()[c], 1e-12);
        }
        INDArray standardised = norm.apply(train).images();
        assertArrayEquals(new double[] {0, 0, 0}, standardised.mean(0, 2, 3).toDoubleVector(), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1}, standardised.std(false, 0, 2, 3).toDoubleVector(), 1e-12);
    }

    @Test
    void otherSetsUseTheTrainingStatistics() {
        ChannelNormalization norm = new ChannelNormalization(new double[] {1, 2}, new double[] {2, 4});
        INDArray x = Nd4j.createFromArray(new double[] {3, 3, 3, 3, 10, 10, 10, 10}).reshape(1, 2, 2, 2);
        INDArray y = norm.apply(x);
        assertEquals(1.0, y.getDouble(0, 0, 1, 1), 0);
        assertEquals(2.0, y.getDouble(0, 1, 0, 0), 0);
        assertThrows(IllegalArgumentException.class, () -> norm.apply(Nd4j.zeros(1, 3, 2, 2)));
    }

    @Test
    void constantChannelAndBadStatisticsAreRejected() {
        for (double level : new double[] {1.0, 0.3, 0.7}) {
            ImageDataset flat = new ImageDataset("flat", Nd4j.zeros(DataType.FLOAT, 300, 1, 3, 3).addi(level),
                    new int[300], 1);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ChannelNormalization.fit(flat))
                    .getMessage().contains("channel 0 is constant"));
        }
        assertThrows(IllegalArgumentException.class, () -> new ChannelNormalization(new double[] {0},
                new double[] {0}));
    }
}
