package io.kronlaplace.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SgdTest {
    private static final double[] THETA = {0.5, -1.0, 2.0, 0.25};
    private static final double[] G1 = {0.1, 0.2, -0.3, 0.4};
    private static final double[] G2 = {-0.2, 0.05, 0.1, 0.3};

    /** Two steps of the PyTorch rule, written out element by element. */
    private static double[] reference(double lr, double mu, boolean nesterov, double wd, WeightDecay mode) {
        double[] theta = THETA.clone();
        double[] buf = new double[theta.length];
        for (double[] g : new double[][] {G1, G2}) {
            for (int i = 0; i < theta.length; i++) {
                double d = g[i] + (mode == WeightDecay.L2 ? wd * theta[i] : 0);
                if (mu > 0) {
                    buf[i] = mu * buf[i] + d;
                    d = nesterov ? d + mu * buf[i] : buf[i];
                }
                if (mode == WeightDecay.DECOUPLED) {
                    theta[i] *= 1 - lr * wd;
                }
                theta[i] -= lr * d;
            }
        }
        return theta;
    }

    private static INDArray run(Sgd sgd, DataType type, long... shape) {
        INDArray theta = Nd4j.createFromArray(THETA).castTo(type).reshape(shape);
        for (double[] g : new double[][] {G1, G2}) {
            sgd.step(List.of(theta), List.of(Nd4j.createFromArray(g).castTo(type).reshape(shape)));
        }
        return theta;
    }

    private static void assertClose(double[] expected, INDArray actual, double tol) {
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], a[i], tol, "element " + i);
        }
    }

    @Test
    void plainStepIsThetaMinusLrTimesGradient() {
        Sgd sgd = Sgd.builder().learningRate(0.1).build();
        INDArray theta = Nd4j.createFromArray(THETA);
        INDArray g = Nd4j.createFromArray(G1);
        sgd.step(List.of(theta), List.of(g));
        for (int i = 0; i < THETA.length; i++) {
            assertEquals(THETA[i] - 0.1 * G1[i], theta.getDouble(i), 1e-15);
        }
        assertEquals(G1[0], g.getDouble(0), 0.0, "the gradient is not modified");
        assertEquals(1, sgd.steps());
    }

    @Test
    void momentumNesterovAndWeightDecayMatchTheFormulaOverTwoSteps() {
        for (double mu : new double[] {0, 0.9}) {
            for (boolean nesterov : mu > 0 ? new boolean[] {false, true} : new boolean[] {false}) {
                for (WeightDecay mode : WeightDecay.values()) {
                    for (double wd : new double[] {0, 0.05}) {
                        double[] expected = reference(0.1, mu, nesterov, wd, mode);
                        Sgd sgd = Sgd.builder().learningRate(0.1).momentum(mu).nesterov(nesterov).weightDecay(wd, mode)
                                .build();
                        assertClose(expected, run(sgd, DataType.DOUBLE, 4), 1e-14);
                        Sgd rank4 = Sgd.builder().learningRate(0.1).momentum(mu).nesterov(nesterov)
                                .weightDecay(wd, mode).build();
                        assertClose(expected, run(rank4, DataType.FLOAT, 1, 2, 1, 2), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void scheduleSetsTheRateOfEachStep() {
        Sgd sgd = Sgd.builder().schedule(step -> step == 0 ? 0.5 : 0.25).build();
        assertEquals(0.5, sgd.learningRate());
        INDArray theta = Nd4j.createFromArray(1.0);
        sgd.step(List.of(theta), List.of(Nd4j.createFromArray(1.0)));
        assertEquals(0.5, theta.getDouble(0), 1e-15);
        assertEquals(0.25, sgd.learningRate());
        sgd.step(List.of(theta), List.of(Nd4j.createFromArray(1.0)));
        assertEquals(0.25, theta.getDouble(0), 1e-15);
    }

    @Test
    void rejectsBadHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> Sgd.builder().learningRate(0).build());
        assertThrows(IllegalArgumentException.class, () -> Sgd.builder().learningRate(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> Sgd.builder().learningRate(Double.NaN).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sgd.builder().learningRate(0.1).momentum(1.0).build());
        assertTrue(e.getMessage().contains("momentum") && e.getMessage().contains("1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sgd.builder().learningRate(0.1).momentum(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> Sgd.builder().learningRate(0.1).nesterov(true).build());
        assertThrows(IllegalArgumentException.class, () -> Sgd.builder().learningRate(0.1).weightDecay(-1).build());
        assertThrows(NullPointerException.class, () -> Sgd.builder().build());
    }

    @Test
    void rejectsMismatchedOrNonFiniteGradientsWithoutChangingAnything() {
        Sgd sgd = Sgd.builder().learningRate(0.1).momentum(0.5).build();
        INDArray a = Nd4j.createFromArray(1.0, 2.0);
        INDArray b = Nd4j.createFromArray(3.0);
        INDArray badGrad = Nd4j.createFromArray(Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sgd.step(List.of(a, b), List.of(Nd4j.createFromArray(1.0, 1.0), badGrad)));
        assertTrue(e.getMessage().contains("parameter 1"), e.getMessage());
        assertEquals(1.0, a.getDouble(0), 0.0, "no partial update");
        assertThrows(IllegalArgumentException.class,
                () -> sgd.step(List.of(a), List.of(Nd4j.createFromArray(1.0, 1.0, 1.0))));
        sgd.step(List.of(a, b), List.of(Nd4j.createFromArray(1.0, 1.0), Nd4j.createFromArray(1.0)));
        assertThrows(IllegalArgumentException.class,
                () -> sgd.step(List.of(a), List.of(Nd4j.createFromArray(1.0, 1.0))));
    }

    /** A sum of finite entries may overflow; only an entry that is itself NaN or infinite stops the step. */
    @Test
    void finiteGradientsWhoseSumOverflowsAreApplied() {
        Sgd sgd = Sgd.builder().learningRate(1e-37).build();
        INDArray theta = Nd4j.createFromArray(1f, 2f);
        sgd.step(List.of(theta), List.of(Nd4j.createFromArray(3e38f, 3e38f)));
        assertEquals(1f - 30f, theta.getFloat(0), 1e-4f);
        assertEquals(2f - 30f, theta.getFloat(1), 1e-4f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sgd.step(List.of(theta), List.of(Nd4j.createFromArray(3e38f, Float.POSITIVE_INFINITY))));
        assertTrue(e.getMessage().contains("NaN or infinite"), e.getMessage());
    }
}
