package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FixupTest {
    @Test
    void biasAddsAndScaleMultiplies() {
        FixupBias bias = new FixupBias(DataType.DOUBLE);
        FixupScale scale = new FixupScale(DataType.DOUBLE);
        assertEquals(Parameter.Kind.SCALAR, bias.bias().kind());
        assertEquals(Parameter.Kind.SCALAR, scale.scale().kind());
        assertEquals(0.0, bias.bias().value().getDouble(0));
        assertEquals(1.0, scale.scale().value().getDouble(0));
        bias.bias().value().assign(0.25);
        scale.scale().value().assign(-1.5);
        INDArray x = GradientCheck.random(1, 2, 3);
        assertTrue(GradientCheck.relativeError(bias.forward(x, Mode.EVAL), x.add(0.25)) < 1e-15);
        assertTrue(GradientCheck.relativeError(scale.forward(x, Mode.EVAL), x.mul(-1.5)) < 1e-15);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        FixupBias bias = new FixupBias(DataType.DOUBLE);
        bias.bias().value().assign(0.3);
        FixupScale scale = new FixupScale(DataType.DOUBLE);
        scale.scale().value().assign(0.7);
        Sequential both = new Sequential(bias, new Tanh(), scale);
        GradientCheck.check(both, GradientCheck.random(2, 2, 3, 2, 2), Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(both, GradientCheck.random(3, 2, 3, 2, 2), Mode.TRAIN, 3, 1e-14);
        GradientCheck.checkFloat32Agrees(both, GradientCheck.random(4, 2, 3), Mode.TRAIN);
    }

    /** The rectified bias against a bias and a ReLU in sequence: float64 on libnd4j, float32 on oneDNN. */
    @Test
    void rectifiedBiasComputesBiasThenReLU() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            FixupBias fused = FixupBias.rectified(type);
            FixupBias plain = new FixupBias(type);
            fused.bias().value().assign(0.25);
            plain.bias().value().assign(0.25);
            Sequential pair = new Sequential(plain, new ReLU());
            assertTrue(fused.isRectified() && !plain.isRectified());
            // a strided view as input
            INDArray wide = GradientCheck.random(70, 4, 3, 5, 8).castTo(type);
            INDArray x = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(0, 2, 8));
            INDArray y = fused.forward(x, Mode.TRAIN);
            assertEquals(type, y.dataType());
            assertEquals(pair.forward(x, Mode.TRAIN), y, type + " output");
            assertTrue(y.eq(0.0).castTo(DataType.INT32).sumNumber().intValue() > 0, "some outputs cut");
            INDArray g = GradientCheck.random(71, 4, 3, 5, 4).castTo(type);
            assertEquals(pair.backward(g, BackwardContext.training()), fused.backward(g, BackwardContext.training()),
                    type + " input gradient");
            assertEquals(plain.bias().grad().getDouble(0), fused.bias().grad().getDouble(0), 1e-5,
                    type + " bias gradient");
            INDArray three = GradientCheck.random(72, 12, 3, 5, 4).castTo(type);
            assertEquals(pair.backward(three, BackwardContext.curvature(3, null)),
                    fused.backward(three, BackwardContext.curvature(3, null)), type + " three copies");
            INDArray t = GradientCheck.random(73, 4, 3, 5, 4).castTo(type);
            assertEquals(pair.jvp(t, null), fused.jvp(t, null), type + " tangent");
        }
        FixupBias bias = FixupBias.rectified(DataType.DOUBLE);
        bias.bias().value().assign(-0.2);
        GradientCheck.check(bias, GradientCheck.random(74, 2, 3, 2, 2), Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(bias, GradientCheck.random(75, 3, 3, 2, 2), Mode.TRAIN, 3, 1e-14);
        GradientCheck.checkFloat32Agrees(bias, GradientCheck.random(76, 4, 2, 3), Mode.TRAIN);
    }

    @Test
    void rejectsWrongTypeAndRows() {
        FixupScale scale = new FixupScale(DataType.DOUBLE);
        assertThrows(IllegalArgumentException.class, () -> scale.forward(Nd4j.zeros(DataType.FLOAT, 2, 2), Mode.EVAL));
        FixupBias bias = new FixupBias(DataType.DOUBLE);
        assertThrows(IllegalStateException.class,
                () -> bias.backward(Nd4j.zeros(DataType.DOUBLE, 2, 2), BackwardContext.training()));
        bias.forward(Nd4j.zeros(DataType.DOUBLE, 2, 2), Mode.TRAIN);
        assertThrows(IllegalArgumentException.class,
                () -> bias.backward(Nd4j.zeros(DataType.DOUBLE, 3, 2), BackwardContext.training()));
    }
}
