package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link MaxPool2d} and {@link Dropout} against explicit loops, central differences and their own masks. */
class MaxPoolAndDropoutTest {
    @Test
    void maxPoolMatchesWindowMaxima() {
        int[][] configs = {{2, 2}, {3, 1}, {3, 2}, {2, 3}};
        for (int[] cfg : configs) {
            MaxPool2d pool = new MaxPool2d(cfg[0], cfg[1]);
            INDArray x = GradientCheck.random(1, 2, 3, 7, 6);
            INDArray z = pool.forward(x, Mode.EVAL);
            long[] hw = pool.outputSize(7, 6);
            assertArrayEquals(new long[] {2, 3, hw[0], hw[1]}, z.shape());
            for (long n = 0; n < 2; n++) {
                for (long c = 0; c < 3; c++) {
                    for (long i = 0; i < hw[0]; i++) {
                        for (long j = 0; j < hw[1]; j++) {
                            double max = Double.NEGATIVE_INFINITY;
                            for (int u = 0; u < cfg[0]; u++) {
                                for (int v = 0; v < cfg[0]; v++) {
                                    max = Math.max(max, x.getDouble(n, c, i * cfg[1] + u, j * cfg[1] + v));
                                }
                            }
                            assertEquals(max, z.getDouble(n, c, i, j), 0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxPoolGradientsCopiesAndFloat32() {
        GradientCheck.check(new MaxPool2d(3, 2), GradientCheck.random(2, 2, 2, 7, 6), Mode.TRAIN, 1e-6);
        GradientCheck.check(new MaxPool2d(2, 2), GradientCheck.random(3, 2, 2, 4, 4), Mode.EVAL, 1e-6);
        GradientCheck.check(new MaxPool2d(2, 1), GradientCheck.random(8, 1, 3, 5, 5), Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(new MaxPool2d(3, 2), GradientCheck.random(4, 2, 2, 7, 6), Mode.TRAIN, 3, 1e-14);
        GradientCheck.checkFloat32Agrees(new MaxPool2d(2, 1), GradientCheck.random(5, 2, 2, 5, 5), Mode.TRAIN);
    }

    @Test
    void maxPoolTiesGoToTheFirstEntryOfTheWindow() {
        MaxPool2d pool = new MaxPool2d(2, 2);
        INDArray x = Nd4j.ones(DataType.DOUBLE, 1, 1, 2, 2);
        pool.forward(x, Mode.EVAL);
        INDArray g = pool.backward(Nd4j.ones(DataType.DOUBLE, 1, 1, 1, 1), BackwardContext.training());
        assertEquals(1.0, g.getDouble(0, 0, 0, 0), 0);
        assertEquals(1.0, g.sumNumber().doubleValue(), 0);
    }

    @Test
    void maxPoolForwardModeDerivativeMatchesCentralDifferences() {
        MaxPool2d pool = new MaxPool2d(3, 2);
        INDArray x = GradientCheck.random(6, 2, 3, 7, 6);
        INDArray t = GradientCheck.random(7, 2, 3, 7, 6);
        double h = 1e-6;
        INDArray plus = pool.forward(x.add(t.mul(h)), Mode.EVAL).dup();
        INDArray minus = pool.forward(x.sub(t.mul(h)), Mode.EVAL).dup();
        pool.forward(x, Mode.EVAL);
        INDArray jvp = pool.jvp(t, null);
        assertTrue(GradientCheck.relativeError(jvp, plus.sub(minus).div(2 * h)) < 1e-8);
    }

    @Test
    void maxPoolRejectsBadConfigurationAndInputs() {
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 0));
        MaxPool2d pool = new MaxPool2d(3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.forward(Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 5), Mode.EVAL));
        assertTrue(e.getMessage().contains("MaxPool2d") && e.getMessage().contains("smaller"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> new MaxPool2d(2, 2).backward(Nd4j.zeros(DataType.DOUBLE, 1, 1, 1, 1), BackwardContext.training()));
        pool.forward(Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 4), Mode.EVAL);
        assertThrows(IllegalArgumentException.class,
                () -> pool.backward(Nd4j.zeros(DataType.DOUBLE, 1, 1, 3, 3), BackwardContext.training()));
    }

    @Test
    void dropoutIsTheIdentityInEvaluation() {
        Dropout dropout = new Dropout(0.5, 3);
        INDArray x = GradientCheck.random(9, 4, 6);
        assertEquals(x, dropout.forward(x, Mode.EVAL));
        INDArray g = GradientCheck.random(10, 8, 6);
        assertEquals(g, dropout.backward(g, BackwardContext.curvature(2, null)));
        assertEquals(g.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)),
                dropout.jvp(g.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)), null));
    }

    @Test
    void dropoutInTrainingZeroesOrRescalesEachEntryAndBackPropagatesThroughTheSameMask() {
        double p = 0.3;
        Dropout dropout = new Dropout(p, 5);
        INDArray x = GradientCheck.random(11, 50, 40).addi(2.0); // no zero entries, so the mask is y / x
        INDArray y = dropout.forward(x, Mode.TRAIN);
        INDArray mask = y.div(x);
        long kept = 0;
        for (long i = 0; i < mask.length(); i++) {
            double m = mask.getDouble(i);
            assertTrue(m == 0 || Math.abs(m - 1 / (1 - p)) < 1e-14, "mask entry " + m);
            kept += m == 0 ? 0 : 1;
        }
        // 2,000 Bernoulli(0.7) draws: 5 standard deviations is about 0.051
        assertEquals(1 - p, kept / (double) mask.length(), 0.051);
        // d/dx sum(y * r) = mask * r for the linear map y = mask * x; two copies per example
        INDArray r = GradientCheck.random(12, 100, 40);
        INDArray g = dropout.backward(r, BackwardContext.curvature(2, null));
        assertTrue(GradientCheck.relativeError(g, r.mul(Nd4j.concat(0, mask, mask))) < 1e-14);
        INDArray t = GradientCheck.random(13, 50, 40);
        assertTrue(GradientCheck.relativeError(dropout.jvp(t, null), t.mul(mask)) < 1e-14);
    }

    @Test
    void dropoutMasksAreSeededAndDrawnAfreshEachTrainingPass() {
        INDArray x = Nd4j.ones(DataType.DOUBLE, 20, 10);
        Dropout a = new Dropout(0.5, 42);
        Dropout b = new Dropout(0.5, 42);
        INDArray first = a.forward(x, Mode.TRAIN).dup();
        assertEquals(first, b.forward(x, Mode.TRAIN));
        assertTrue(!first.equals(a.forward(x, Mode.TRAIN)), "a second training pass draws a new mask");
        Dropout single = new Dropout(0.5, 42);
        single.castTo(DataType.FLOAT);
        INDArray y32 = single.forward(x.castTo(DataType.FLOAT), Mode.TRAIN);
        assertSame(DataType.FLOAT, y32.dataType());
        assertEquals(first, y32.castTo(DataType.DOUBLE));
    }

    @Test
    void dropoutRejectsProbabilitiesOutsideZeroToOne() {
        for (double p : new double[] {-0.1, 1.0, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(p, 0));
            assertTrue(e.getMessage().contains("dropout probability"), e.getMessage());
        }
        assertThrows(IllegalStateException.class,
                () -> new Dropout(0.1, 0).backward(Nd4j.zeros(DataType.DOUBLE, 1, 1), BackwardContext.training()));
    }
}
