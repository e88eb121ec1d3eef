package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    /** Float32 maps take oneDNN's rectifier where it is on: its values, masks and copies against plain loops. */
    @Test
    void float32OutputGradientCopiesAndTangentMatchLoops() {
        ReLU relu = new ReLU();
        INDArray wide = GradientCheck.random(4, 5, 2, 3, 8).castTo(DataType.FLOAT);
        // a strided view as input, with exact zeros among the entries
        INDArray x = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 2, 8));
        x.putScalar(new long[] {1, 1, 2, 1}, 0f);
        INDArray y = relu.forward(x, Mode.TRAIN);
        float[] xs = x.dup('c').data().asFloat();
        float[] ys = y.dup('c').data().asFloat();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Math.max(xs[i], 0f), ys[i], 0f, "output " + i);
        }
        int copies = 3;
        INDArray g = GradientCheck.random(5, copies * 5, 2, 3, 4).castTo(DataType.FLOAT);
        float[] gs = g.dup('c').data().asFloat();
        float[] gx = relu.backward(g, BackwardContext.curvature(copies, null)).dup('c').data().asFloat();
        for (int i = 0; i < gs.length; i++) {
            assertEquals(xs[i % xs.length] > 0 ? gs[i] : 0f, gx[i], 0f, "gradient " + i);
        }
        INDArray t = GradientCheck.random(6, 5, 2, 3, 4).castTo(DataType.FLOAT);
        float[] ts = t.data().asFloat();
        float[] jvp = relu.jvp(t, null).dup('c').data().asFloat();
        for (int i = 0; i < ts.length; i++) {
            assertEquals(xs[i] > 0 ? ts[i] : 0f, jvp[i], 0f, "tangent " + i);
        }
        assertEquals(0f, x.getFloat(1, 1, 2, 1), "input left alone");
    }

    @Test
    void rejectsMisshapenGradient() {
        ReLU relu = new ReLU();
        relu.forward(Nd4j.zeros(DataType.DOUBLE, 2, 3), Mode.TRAIN);
        assertThrows(IllegalArgumentException.class,
                () -> relu.backward(Nd4j.zeros(DataType.DOUBLE, 2, 4), BackwardContext.training()));
    }
}
