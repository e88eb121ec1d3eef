package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class TanhTest {
    @Test
    void forwardIsTanh() {
        Tanh tanh = new Tanh();
        assertEquals(Math.tanh(0.7), tanh.forward(Nd4j.createFromArray(new double[][] {{0.7}}), Mode.EVAL)
                .getDouble(0), 1e-15);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        GradientCheck.check(new Tanh(), GradientCheck.random(1, 3, 2, 4, 4).muli(2), Mode.TRAIN, 1e-6);
    }

    @Test
    void copiesAndFloat32() {
        GradientCheck.checkCopies(new Tanh(), GradientCheck.random(2, 3, 5), Mode.TRAIN, 3, 1e-14);
        GradientCheck.checkFloat32Agrees(new Tanh(), GradientCheck.random(3, 3, 5), Mode.TRAIN);
    }

    @Test
    void rejectsMisshapenGradient() {
        Tanh tanh = new Tanh();
        tanh.forward(Nd4j.zeros(DataType.DOUBLE, 2, 3), Mode.TRAIN);
        assertThrows(IllegalArgumentException.class,
                () -> tanh.backward(Nd4j.zeros(DataType.DOUBLE, 2, 4), BackwardContext.training()));
        assertThrows(IllegalArgumentException.class,
                () -> tanh.backward(Nd4j.zeros(DataType.DOUBLE, 3, 3), BackwardContext.training()));
    }
}
