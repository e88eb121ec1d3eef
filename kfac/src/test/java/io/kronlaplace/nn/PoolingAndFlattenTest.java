package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PoolingAndFlattenTest {
    @Test
    void avgPoolMatchesWindowMeans() {
        int[][] configs = {{2, 2}, {3, 1}, {3, 2}, {2, 3}};
        for (int[] cfg : configs) {
            AvgPool2d pool = new AvgPool2d(cfg[0], cfg[1]);
            INDArray x = GradientCheck.random(1, 2, 3, 7, 6);
            INDArray z = pool.forward(x, Mode.EVAL);
            long[] hw = pool.outputSize(7, 6);
            assertArrayEquals(new long[] {2, 3, hw[0], hw[1]}, z.shape());
            for (long n = 0; n < 2; n++) {
                for (long c = 0; c < 3; c++) {
                    for (long i = 0; i < hw[0]; i++) {
                        for (long j = 0; j < hw[1]; j++) {
                            double sum = 0;
                            for (int u = 0; u < cfg[0]; u++) {
                                for (int v = 0; v < cfg[0]; v++) {
                                    sum += x.getDouble(n, c, i * cfg[1] + u, j * cfg[1] + v);
                                }
                            }
                            assertEquals(sum / (cfg[0] * cfg[0]), z.getDouble(n, c, i, j), 1e-14);
                        }
                    }
                }
            }
        }
    }

    @Test
    void avgPoolGradients() {
        GradientCheck.check(new AvgPool2d(3, 2), GradientCheck.random(2, 2, 2, 7, 6), Mode.TRAIN, 1e-6);
        GradientCheck.check(new AvgPool2d(2, 2), GradientCheck.random(3, 2, 2, 4, 4), Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(new AvgPool2d(3, 2), GradientCheck.random(4, 2, 2, 7, 6), Mode.TRAIN, 3, 1e-14);
        GradientCheck.checkFloat32Agrees(new AvgPool2d(2, 1), GradientCheck.random(5, 2, 2, 5, 5), Mode.TRAIN);
    }

    @Test
    void avgPoolRejectsSmallInputs() {
        AvgPool2d pool = new AvgPool2d(3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.forward(Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 5), Mode.EVAL));
        assertTrue(e.getMessage().contains("smaller"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(0, 1));
    }

    @Test
    void globalAvgPoolIsSpatialMean() {
        GlobalAvgPool2d pool = new GlobalAvgPool2d();
        INDArray x = GradientCheck.random(6, 2, 3, 4, 5);
        INDArray z = pool.forward(x, Mode.EVAL);
        assertArrayEquals(new long[] {2, 3}, z.shape());
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                sum += x.getDouble(1, 2, i, j);
            }
        }
        assertEquals(sum / 20, z.getDouble(1, 2), 1e-15);
        GradientCheck.check(new GlobalAvgPool2d(), x, Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(new GlobalAvgPool2d(), x, Mode.TRAIN, 4, 1e-14);
        GradientCheck.checkFloat32Agrees(new GlobalAvgPool2d(), x, Mode.TRAIN);
        assertThrows(IllegalArgumentException.class, () -> pool.forward(Nd4j.zeros(DataType.DOUBLE, 2, 3), Mode.EVAL));
    }

    @Test
    void flattenKeepsCOrder() {
        Flatten flatten = new Flatten();
        INDArray x = GradientCheck.random(7, 2, 3, 2, 2);
        INDArray z = flatten.forward(x, Mode.EVAL);
        assertArrayEquals(new long[] {2, 12}, z.shape());
        assertEquals(x.getDouble(1, 2, 1, 0), z.getDouble(1, 2 * 4 + 1 * 2), 0);
        GradientCheck.check(new Flatten(), x, Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(new Flatten(), x, Mode.TRAIN, 2, 1e-14);
        GradientCheck.checkFloat32Agrees(new Flatten(), x, Mode.TRAIN);
        flatten.forward(x, Mode.TRAIN);
        assertThrows(IllegalArgumentException.class,
                () -> flatten.backward(Nd4j.zeros(DataType.DOUBLE, 2, 11), BackwardContext.training()));
    }
}
