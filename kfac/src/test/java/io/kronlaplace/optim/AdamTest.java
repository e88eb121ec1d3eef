package io.kronlaplace.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamTest {
    private static final double[] THETA = {0.5, -1.0, 2.0, 0.25};
    private static final double[][] GRADS = {{0.1, 0.2, -0.3, 0.4}, {-0.2, 0.05, 0.1, 0.3}, {0.3, -0.1, 0.0, 1.0}};

    /** Three steps of the PyTorch Adam / AdamW rule, element by element. */
    private static double[] reference(double lr, double b1, double b2, double eps, double wd, WeightDecay mode) {
        double[] theta = THETA.clone();
        double[] m = new double[theta.length];
        double[] v = new double[theta.length];
        for (int t = 1; t <= GRADS.length; t++) {
            for (int i = 0; i < theta.length; i++) {
                double g = GRADS[t - 1][i] + (mode == WeightDecay.L2 ? wd * theta[i] : 0);
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                if (mode == WeightDecay.DECOUPLED) {
                    theta[i] *= 1 - lr * wd;
                }
                theta[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return theta;
    }

    @Test
    void stepsMatchTheFormulaForBothDecayModes() {
        for (WeightDecay mode : WeightDecay.values()) {
            Adam adam = Adam.builder().learningRate(0.05).betas(0.8, 0.95).epsilon(1e-3).weightDecay(0.1, mode)
                    .build();
            INDArray theta = Nd4j.createFromArray(THETA).reshape(2, 2);
            for (double[] g : GRADS) {
                adam.step(List.of(theta), List.of(Nd4j.createFromArray(g).reshape(2, 2)));
            }
            double[] expected = reference(0.05, 0.8, 0.95, 1e-3, 0.1, mode);
            double[] actual = theta.dup('c').data().asDouble();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-14, mode + " element " + i);
            }
        }
    }

    @Test
    void plainVectorStepMatchesTheArrayStep() {
        Adam onArrays = Adam.builder().learningRate(0.1).build();
        Adam onVector = Adam.builder().learningRate(0.1).build();
        INDArray theta = Nd4j.createFromArray(THETA);
        double[] vector = THETA.clone();
        for (double[] g : GRADS) {
            onArrays.step(List.of(theta), List.of(Nd4j.createFromArray(g)));
            onVector.step(vector, g);
        }
        for (int i = 0; i < vector.length; i++) {
            assertEquals(theta.getDouble(i), vector[i], 0.0);
        }
        double[] expected = reference(0.1, 0.9, 0.999, 1e-8, 0, WeightDecay.L2);
        assertEquals(expected[2], vector[2], 1e-14);
    }

    @Test
    void firstStepMovesEachCoordinateByTheLearningRate() {
        // With bias correction, m_hat / sqrt(v_hat) = sign(g) at t = 1.
        Adam adam = Adam.builder().learningRate(0.01).epsilon(1e-12).build();
        INDArray theta = Nd4j.zeros(DataType.FLOAT, 3);
        adam.step(List.of(theta), List.of(Nd4j.createFromArray(5f, -0.001f, 2f)));
        assertEquals(-0.01, theta.getDouble(0), 1e-7);
        assertEquals(0.01, theta.getDouble(1), 1e-7);
    }

    @Test
    void rejectsBadHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().learningRate(0).build());
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().learningRate(0.1).betas(1, 0.9).build());
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().learningRate(0.1).betas(0.9, -0.1).build());
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().learningRate(0.1).epsilon(0).build());
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().learningRate(0.1).weightDecay(-1).build());
    }
}
