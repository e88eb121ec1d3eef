package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchNorm2dTest {
    private static BatchNorm2d batchNorm() {
        BatchNorm2d bn = new BatchNorm2d(3, DataType.DOUBLE);
        bn.scale().value().assign(GradientCheck.random(40, 3).addi(1.5));
        bn.shift().value().assign(GradientCheck.random(41, 3));
        bn.runningMean().assign(GradientCheck.random(42, 3));
        bn.runningVar().assign(GradientCheck.random(43, 3).addi(2));
        return bn;
    }

    @Test
    void trainModeNormalisesWithBatchStatisticsAndUpdatesRunningAverages() {
        BatchNorm2d bn = batchNorm();
        INDArray oldMean = bn.runningMean().dup();
        INDArray oldVar = bn.runningVar().dup();
        INDArray x = GradientCheck.random(1, 4, 3, 2, 3).muli(3).addi(1);
        INDArray y = bn.forward(x, Mode.TRAIN);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sq = 0;
            int m = 0;
            for (int n = 0; n < 4; n++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        double v = x.getDouble(n, c, i, j);
                        sum += v;
                        sq += v * v;
                        m++;
                    }
                }
            }
            double mean = sum / m;
            double var = sq / m - mean * mean;
            double gamma = bn.scale().value().getDouble(c);
            double beta = bn.shift().value().getDouble(c);
            double expected = gamma * (x.getDouble(2, c, 1, 2) - mean) / Math.sqrt(var + 1e-5) + beta;
            assertEquals(expected, y.getDouble(2, c, 1, 2), 1e-12);
            assertEquals(0.9 * oldMean.getDouble(c) + 0.1 * mean, bn.runningMean().getDouble(c), 1e-12);
            assertEquals(0.9 * oldVar.getDouble(c) + 0.1 * var * m / (m - 1), bn.runningVar().getDouble(c), 1e-12);
        }
    }

    @Test
    void evalModeUsesRunningStatisticsAndLeavesThemAlone() {
        BatchNorm2d bn = batchNorm();
        INDArray mean = bn.runningMean().dup();
        INDArray x = GradientCheck.random(2, 2, 3, 2, 2);
        INDArray y = bn.forward(x, Mode.EVAL);
        assertEquals(mean, bn.runningMean());
        double expected = bn.scale().value().getDouble(1) * (x.getDouble(1, 1, 0, 1) - mean.getDouble(1))
                / Math.sqrt(bn.runningVar().getDouble(1) + 1e-5) + bn.shift().value().getDouble(1);
        assertEquals(expected, y.getDouble(1, 1, 0, 1), 1e-12);
    }

    @Test
    void trainModeGradientsMatchFiniteDifferences() {
        GradientCheck.check(batchNorm(), GradientCheck.random(3, 3, 3, 2, 3).muli(2), Mode.TRAIN, 1e-6);
    }

    @Test
    void evalModeGradientsMatchFiniteDifferences() {
        GradientCheck.check(batchNorm(), GradientCheck.random(4, 3, 3, 2, 3), Mode.EVAL, 1e-6);
    }

    @Test
    void copiesAreIndependentVectorsThroughTheTrainLinearisation() {
        GradientCheck.checkCopies(batchNorm(), GradientCheck.random(5, 3, 3, 2, 2), Mode.TRAIN, 3, 1e-12);
        GradientCheck.checkCopies(batchNorm(), GradientCheck.random(6, 3, 3, 2, 2), Mode.EVAL, 2, 1e-12);
    }

    @Test
    void insideAResidualBlockGradientsMatchFiniteDifferences() {
        Init init = new Init(7, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Sequential block = new Sequential(new BatchNorm2d(2, DataType.DOUBLE), new ReLU(),
                new Residual(new Sequential(new Conv2d(2, 3, 3, 2, 1, false, init), new BatchNorm2d(3, DataType.DOUBLE),
                        new ReLU(), new Conv2d(3, 3, 3, 1, 1, false, init)), new Conv2d(2, 3, 1, 2, 0, false, init)));
        GradientCheck.checkSampled(block, GradientCheck.random(8, 3, 2, 4, 4), Mode.TRAIN, 6, 1e-6);
        GradientCheck.checkCopies(block, GradientCheck.random(9, 3, 2, 4, 4), Mode.TRAIN, 2, 1e-12);
    }

    @Test
    void oneLayerHandlesChangingImageSizesAndTypes() {
        // the layer keeps a helper vector sized to H*W and typed like the input between calls
        BatchNorm2d bn = batchNorm();
        GradientCheck.check(bn, GradientCheck.random(12, 3, 3, 2, 3).muli(2), Mode.TRAIN, 1e-6);
        GradientCheck.check(bn, GradientCheck.random(13, 2, 3, 4, 4).muli(2), Mode.TRAIN, 1e-6);
        GradientCheck.checkFloat32Agrees(bn, GradientCheck.random(14, 2, 3, 4, 4), Mode.TRAIN);
        GradientCheck.check(bn, GradientCheck.random(15, 2, 3, 4, 4).muli(2), Mode.TRAIN, 1e-6);
        GradientCheck.check(bn, GradientCheck.random(16, 2, 3, 3, 1).muli(2), Mode.EVAL, 1e-6);
    }

    @Test
    void castsBuffersAndWorksInFloat32() {
        BatchNorm2d bn = batchNorm();
        GradientCheck.checkFloat32Agrees(bn, GradientCheck.random(10, 4, 3, 3, 3), Mode.TRAIN);
        GradientCheck.checkFloat32Agrees(bn, GradientCheck.random(11, 4, 3, 3, 3), Mode.EVAL);
        bn.castTo(DataType.FLOAT);
        assertEquals(DataType.FLOAT, bn.runningMean().dataType());
        assertEquals(DataType.FLOAT, bn.namedBuffers().get("running_var").dataType());
        assertEquals(2, bn.namedBuffers().size());
    }

    /** The rectified layer against batch normalisation and a ReLU in sequence, in float64 (libnd4j's passes). */
    @Test
    void rectifiedLayerComputesBatchNormThenReLU() {
        for (Mode mode : Mode.values()) {
            BatchNorm2d fused = rectifiedBatchNorm();
            BatchNorm2d plain = batchNorm();
            Sequential pair = new Sequential(plain, new ReLU());
            assertTrue(fused.isRectified() && !plain.isRectified());
            INDArray x = GradientCheck.random(60, 4, 3, 3, 2).muli(2);
            INDArray y = fused.forward(x, mode);
            assertEquals(0.0, y.minNumber().doubleValue(), 0.0, mode + ": rectified output");
            assertTrue(y.eq(0.0).castTo(DataType.INT32).sumNumber().intValue() > 0, mode + ": some outputs cut");
            assertEquals(pair.forward(x, mode), y, mode + " output");
            assertEquals(plain.runningMean(), fused.runningMean(), mode + " running mean");
            assertEquals(plain.runningVar(), fused.runningVar(), mode + " running variance");
            INDArray g = GradientCheck.random(61, 4, 3, 3, 2);
            assertEquals(pair.backward(g, BackwardContext.training()), fused.backward(g, BackwardContext.training()),
                    mode + " input gradient");
            assertEquals(plain.scale().grad(), fused.scale().grad(), mode + " scale gradient");
            assertEquals(plain.shift().grad(), fused.shift().grad(), mode + " shift gradient");
            INDArray two = GradientCheck.random(62, 8, 3, 3, 2);
            assertEquals(pair.backward(two, BackwardContext.curvature(2, null)),
                    fused.backward(two, BackwardContext.curvature(2, null)), mode + " two copies");
            if (mode == Mode.EVAL) {
                INDArray t = GradientCheck.random(63, 4, 3, 3, 2);
                assertEquals(pair.jvp(t, null), fused.jvp(t, null), "tangent");
            }
        }
        GradientCheck.check(rectifiedBatchNorm(), GradientCheck.random(64, 3, 3, 2, 3).muli(2), Mode.TRAIN, 1e-6);
        GradientCheck.check(rectifiedBatchNorm(), GradientCheck.random(65, 3, 3, 2, 3), Mode.EVAL, 1e-6);
        GradientCheck.checkCopies(rectifiedBatchNorm(), GradientCheck.random(66, 3, 3, 2, 2), Mode.TRAIN, 3, 1e-12);
    }

    /** A rectified layer with {@link #batchNorm()}'s parameters and running statistics. */
    private static BatchNorm2d rectifiedBatchNorm() {
        BatchNorm2d bn = BatchNorm2d.rectified(3, DataType.DOUBLE);
        BatchNorm2d values = batchNorm();
        bn.scale().value().assign(values.scale().value());
        bn.shift().value().assign(values.shift().value());
        bn.runningMean().assign(values.runningMean());
        bn.runningVar().assign(values.runningVar());
        return bn;
    }

    @ParameterizedTest(name = "C={0}, rectified={1}")
    @CsvSource({"3, false", "17, false", "32, false", "3, true", "17, true", "32, true"})
    void float32TrainingPassesOnOneDnnMatchTheFloat64Ones(int channels, boolean rectified) {
        assertTrue(OneDnn.enabled(), "float32 training passes run on oneDNN by default");
        BatchNorm2d exact = rectified ? BatchNorm2d.rectified(channels, DataType.DOUBLE)
                : new BatchNorm2d(channels, DataType.DOUBLE);
        exact.scale().value().assign(GradientCheck.random(50, channels).addi(1.5));
        exact.shift().value().assign(GradientCheck.random(51, channels));
        BatchNorm2d single = rectified ? BatchNorm2d.rectified(channels, DataType.DOUBLE)
                : new BatchNorm2d(channels, DataType.DOUBLE);
        single.scale().value().assign(exact.scale().value());
        single.shift().value().assign(exact.shift().value());
        single.castTo(DataType.FLOAT);
        INDArray x = GradientCheck.random(52, 4, channels, 5, 6).muli(3).addi(1);
        INDArray g = GradientCheck.random(53, 4, channels, 5, 6);
        for (int step = 0; step < 2; step++) {
            assertClose(exact.forward(x, Mode.TRAIN), single.forward(x.castTo(DataType.FLOAT), Mode.TRAIN), "output");
            assertClose(exact.runningMean(), single.runningMean(), "running mean");
            assertClose(exact.runningVar(), single.runningVar(), "running variance");
            exact.zeroGrad();
            single.zeroGrad();
            assertClose(exact.backward(g, BackwardContext.training()),
                    single.backward(g.castTo(DataType.FLOAT), BackwardContext.training()), "input gradient");
            assertClose(exact.scale().grad(), single.scale().grad(), "scale gradient");
            assertClose(exact.shift().grad(), single.shift().grad(), "shift gradient");
        }
        // two output gradients per example go through libnd4j's ops, on the centred input made from oneDNN's mean
        INDArray two = Nd4j.concat(0, g, g.mul(-0.5));
        assertClose(exact.backward(two, BackwardContext.curvature(2, null)),
                single.backward(two.castTo(DataType.FLOAT), BackwardContext.curvature(2, null)), "two copies");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(DataType.FLOAT, actual.dataType(), what);
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * Math.max(scale, 1), what + ": largest difference " + diff + " at scale " + scale);
    }

    @Test
    void rejectsBadInputs() {
        BatchNorm2d bn = batchNorm();
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Nd4j.zeros(DataType.DOUBLE, 2, 4, 2, 2),
                Mode.TRAIN));
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Nd4j.zeros(DataType.DOUBLE, 2, 3), Mode.TRAIN));
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> bn.forward(Nd4j.zeros(DataType.DOUBLE, 1, 3, 1, 1), Mode.TRAIN));
        assertTrue(single.getMessage().contains("more than one value"), single.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3, 0, 0.1, DataType.DOUBLE));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3, 1e-5, 0.1, DataType.INT));
    }
}
