package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
