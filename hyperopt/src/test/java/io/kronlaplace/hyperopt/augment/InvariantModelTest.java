package io.kronlaplace.hyperopt.augment;

import static io.kronlaplace.hyperopt.augment.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class InvariantModelTest {
    private static final int N = 3;
    private static final int S = 4;
    private static final int D = 4;
    private static final int C = 3;

    private static Network network() {
        Init init = new Init(5, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Linear(D, 6, true, init), new ReLU(), new Linear(6, C, true, init)));
    }

    private static double dot(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue();
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        return actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }

    @Test
    void forwardAveragesEachExamplesConsecutiveRows() {
        Network net = network();
        INDArray x = random(1, N * S, D);
        INDArray perSample = net.forward(x, Mode.EVAL);
        INDArray mean = new InvariantModel(net, S).forward(x, Mode.EVAL);
        assertArrayEquals(new long[] {N, C}, mean.shape());
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                double sum = 0;
                for (int s = 0; s < S; s++) {
                    sum += perSample.getDouble(n * S + s, c);
                }
                assertEquals(sum / S, mean.getDouble(n, c), 1e-14);
            }
        }
    }

    @Test
    void spreadDividesBySamplesInCopyMajorLayout() {
        int copies = 2;
        INDArray g = random(2, (long) copies * N, C);
        INDArray spread = InvariantModel.spread(g, S, copies);
        assertArrayEquals(new long[] {(long) copies * N * S, C}, spread.shape());
        for (int k = 0; k < copies; k++) {
            for (int n = 0; n < N; n++) {
                for (int s = 0; s < S; s++) {
                    for (int c = 0; c < C; c++) {
                        assertEquals(g.getDouble(k * N + n, c) / S,
                                spread.getDouble((long) k * N * S + (long) n * S + s, c), 1e-15);
                    }
                }
            }
        }
        // spread is the adjoint of average: <spread(g), f> = <g, average(f)>
        INDArray g1 = random(3, N, C);
        INDArray f = random(4, (long) N * S, C);
        assertEquals(dot(g1, InvariantModel.average(f, S)), dot(InvariantModel.spread(g1, S, 1), f), 1e-13);
    }

    @Test
    void parameterGradientsMatchFiniteDifferencesAlongRandomDirections() {
        Network net = network();
        InvariantModel model = new InvariantModel(net, S);
        INDArray x = random(5, N * S, D);
        INDArray v = random(6, N, C);
        net.zeroGrad();
        model.forward(x, Mode.TRAIN);
        model.backward(v, BackwardContext.training());
        INDArray analytic = net.flatGradients();
        INDArray theta = net.flatParameters();
        double h = 1e-6;
        for (long seed = 10; seed < 13; seed++) {
            INDArray u = random(seed, theta.length());
            net.setFlatParameters(theta.add(u.mul(h)));
            double plus = dot(v, model.forward(x, Mode.EVAL));
            net.setFlatParameters(theta.sub(u.mul(h)));
            double minus = dot(v, model.forward(x, Mode.EVAL));
            double fd = (plus - minus) / (2 * h);
            assertEquals(fd, dot(analytic, u), 1e-7 * Math.max(1, Math.abs(fd)), "direction seed " + seed);
        }
        net.setFlatParameters(theta);
    }

    @Test
    void hessianSqrtColumnsReachEachSampleDividedBySamples() {
        Network net = network();
        InvariantModel model = new InvariantModel(net, S);
        INDArray x = random(7, N * S, D);
        // one C x C square-root matrix per example, column c of example n at row c*N + n
        INDArray sqrt = random(8, (long) C * N, C);
        model.forward(x, Mode.EVAL);
        INDArray back = model.backward(sqrt, BackwardContext.curvature(C, null));
        assertArrayEquals(new long[] {(long) C * N * S, D}, back.shape());
        double h = 1e-6;
        for (long seed = 20; seed < 22; seed++) {
            // d/dt <S_n[:,c], f_mean(x + t U)_n> = sum over example n's S rows of <back row, U row>
            INDArray u = random(seed, N * S, D);
            INDArray dMean = model.forward(x.add(u.mul(h)), Mode.EVAL)
                    .sub(model.forward(x.sub(u.mul(h)), Mode.EVAL)).div(2 * h);
            for (int c = 0; c < C; c++) {
                for (int n = 0; n < N; n++) {
                    double fd = dot(sqrt.getRow((long) c * N + n), dMean.getRow(n));
                    double analytic = 0;
                    for (int s = 0; s < S; s++) {
                        analytic += dot(back.getRow((long) c * N * S + (long) n * S + s), u.getRow((long) n * S + s));
                    }
                    assertEquals(fd, analytic, 1e-7 * Math.max(1, Math.abs(fd)), "column " + c + " example " + n);
                }
            }
        }
    }

    @Test
    void rowsThatAreNotAMultipleOfSamplesAreRejected() {
        InvariantModel model = new InvariantModel(network(), S);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(random(9, N * S + 1, D), Mode.EVAL));
        assertTrue(e.getMessage().contains("not a positive multiple of 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InvariantModel(network(), 0));
        assertThrows(IllegalArgumentException.class, () -> InvariantModel.spread(random(1, 5, C), S, 2));
    }
}
