package io.kronlaplace.likelihood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CrossEntropyTest extends LikelihoodContractTest {
    private final CrossEntropy ce = new CrossEntropy();

    @Override
    Likelihood likelihood() {
        return ce;
    }

    @Override
    INDArray targets(SplittableRandom random, int n, int c) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(c);
        }
        return Nd4j.createFromArray(y);
    }

    @Test
    void lossMatchesHandComputation() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {0, 0, 0}});
        INDArray y = Nd4j.createFromArray(2, 1);
        double expected = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))) + Math.log(3);
        assertEquals(expected, ce.loss(f, y, Reduction.SUM), 1e-14);
        assertEquals(expected / 2, ce.loss(f, y, Reduction.MEAN), 1e-14);
    }

    @Test
    void gradientIsSoftmaxMinusOneHot() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        INDArray g = ce.gradient(f, Nd4j.createFromArray(0), Reduction.SUM);
        assertEquals(Math.exp(1) / z - 1, g.getDouble(0, 0), 1e-15);
        assertEquals(Math.exp(2) / z, g.getDouble(0, 1), 1e-15);
        assertEquals(Math.exp(3) / z, g.getDouble(0, 2), 1e-15);
    }

    @Test
    void hugeLogitsStayFinite() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1000, 0}, {-1000, 1000}});
        INDArray y = Nd4j.createFromArray(1, 1);
        assertEquals(1000.0, ce.loss(f, y, Reduction.SUM), 1e-9);
        INDArray g = ce.gradient(f, y, Reduction.SUM);
        assertEquals(1.0, g.getDouble(0, 0), 1e-15);
        assertEquals(-1.0, g.getDouble(0, 1), 1e-15);
        for (double v : ce.hessianSqrt(f).data().asDouble()) {
            assertTrue(Double.isFinite(v), "finite Hessian square root");
        }
    }

    @Test
    void labelsOfAnyNumericTypeAndColumnShapeGiveTheSameLoss() {
        INDArray f = randomOutputs(new SplittableRandom(11), 3, 5);
        double reference = ce.loss(f, Nd4j.createFromArray(4L, 0L, 2L), Reduction.SUM);
        for (DataType t : new DataType[] {DataType.INT32, DataType.INT64, DataType.FLOAT, DataType.DOUBLE,
                DataType.INT16}) {
            INDArray y = Nd4j.createFromArray(4.0, 0.0, 2.0).castTo(t);
            assertEquals(reference, ce.loss(f, y, Reduction.SUM), 1e-14, t.toString());
            assertEquals(reference, ce.loss(f, y.reshape(3, 1), Reduction.SUM), 1e-14, t + " column");
        }
    }

    @Test
    void float32OutputsGiveFloat32Results() {
        INDArray f = randomOutputs(new SplittableRandom(12), 3, 5);
        INDArray y = Nd4j.createFromArray(1, 2, 3);
        INDArray g = ce.gradient(f.castTo(DataType.FLOAT), y, Reduction.MEAN);
        assertEquals(DataType.FLOAT, g.dataType());
        assertTrue(g.castTo(DataType.DOUBLE).equalsWithEps(ce.gradient(f, y, Reduction.MEAN), 1e-6));
        assertEquals(ce.loss(f, y, Reduction.SUM), ce.loss(f.castTo(DataType.FLOAT), y, Reduction.SUM), 1e-5);
    }

    @Test
    void rejectsLabelsOutsideTheClassRange() {
        INDArray f = randomOutputs(new SplittableRandom(13), 3, 4);
        for (double[] bad : new double[][] {{0, 4, 1}, {0, -1, 1}, {0, 1.5, 1}, {0, Double.NaN, 1}}) {
            INDArray y = Nd4j.createFromArray(bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ce.loss(f, y, Reduction.SUM));
            assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("[0, 4)"), e.getMessage());
        }
    }

    @Test
    void rejectsTargetsThatAreNotOneIndexPerRow() {
        INDArray f = randomOutputs(new SplittableRandom(14), 3, 4);
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ce.gradient(f, oneHot, Reduction.SUM));
        assertTrue(e.getMessage().contains("[3, 4]"), e.getMessage());
    }
}
