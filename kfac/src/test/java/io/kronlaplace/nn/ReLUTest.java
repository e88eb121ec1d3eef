package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ReLUTest {
    @Test
    void forwardAndDerivativeAtZero() {
        ReLU relu = new ReLU();
        INDArray x = Nd4j.createFromArray(new double[][] {{-1.5, 0.0, 2.0}});
        INDArray y = relu.forward(x, Mode.TRAIN);
        assertEquals(Nd4j.createFromArray(new double[][] {{0.0, 0.0, 2.0}}), y);
        INDArray g = relu.backward(Nd4j.createFromArray(new double[][] {{3.0, 4.0, 5.0}}), BackwardContext.training());
        assertEquals(Nd4j.createFromArray(new double[][] {{0.0, 0.0, 5.0}}), g);
        assertEquals(-1.5, x.getDouble(0, 0), "input left alone");
    }

    @Test
    void gradientCopiesAndFloat32() {
        GradientCheck.check(new ReLU(), GradientCheck.random(1, 3, 2, 3, 3), Mode.TRAIN, 1e-6);
        GradientCheck.checkCopies(new ReLU(), GradientCheck.random(2, 3, 2, 3, 3), Mode.TRAIN, 3, 1e-15);
        GradientCheck.checkFloat32Agrees(new ReLU(), GradientCheck.random(3, 3, 4), Mode.TRAIN);
    }

    @Test
    void rejectsMisshapenGradient() {
        ReLU relu = new ReLU();
        relu.forward(Nd4j.zeros(DataType.DOUBLE, 2, 3), Mode.TRAIN);
        assertThrows(IllegalArgumentException.class,
                () -> relu.backward(Nd4j.zeros(DataType.DOUBLE, 2, 4), BackwardContext.training()));
    }
}
