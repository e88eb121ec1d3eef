package io.kronlaplace.likelihood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks every {@link Likelihood} must pass, against finite differences and Monte-Carlo averages in float64.
 * Subclasses supply the likelihood and matching random outputs and targets.
 */
abstract class LikelihoodContractTest {
    static final int N = 3;
    static final int C = 4;

    abstract Likelihood likelihood();

    abstract INDArray targets(SplittableRandom random, int n, int c);

    static INDArray randomOutputs(SplittableRandom random, int n, int c) {
        double[] v = new double[n * c];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * random.nextDouble() - 1;
        }
        return Nd4j.createFromArray(v).reshape(n, c);
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(1);
        INDArray f = randomOutputs(random, N, C);
        INDArray y = targets(random, N, C);
        for (Reduction reduction : Reduction.values()) {
            INDArray g = likelihood().gradient(f, y, reduction);
            assertArrayEquals(new long[] {N, C}, g.shape());
            double h = 1e-6;
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    INDArray plus = f.dup();
                    plus.putScalar(n, c, f.getDouble(n, c) + h);
                    INDArray minus = f.dup();
                    minus.putScalar(n, c, f.getDouble(n, c) - h);
                    double fd = (likelihood().loss(plus, y, reduction) - likelihood().loss(minus, y, reduction))
                            / (2 * h);
                    assertEquals(fd, g.getDouble(n, c), 1e-7, reduction + " gradient at (" + n + "," + c + ")");
                }
            }
        }
    }

    @Test
    void meanIsSumDividedByBatchSize() {
        SplittableRandom random = new SplittableRandom(2);
        INDArray f = randomOutputs(random, N, C);
        INDArray y = targets(random, N, C);
        double sum = likelihood().loss(f, y, Reduction.SUM);
        double mean = likelihood().loss(f, y, Reduction.MEAN);
        assertEquals(sum / N, mean, 1e-12 * Math.abs(sum));
        INDArray gSum = likelihood().gradient(f, y, Reduction.SUM);
        INDArray gMean = likelihood().gradient(f, y, Reduction.MEAN);
        assertTrue(gSum.div(N).equalsWithEps(gMean, 1e-12), "MEAN gradient is SUM gradient / N");
    }

    /** The summed loss's Hessian w.r.t. example n's outputs, by central differences of the analytic gradient. */
    double[][] finiteDifferenceHessian(INDArray f, INDArray y, int n) {
        double h = 1e-5;
        double[][] hess = new double[C][C];
        for (int j = 0; j < C; j++) {
            INDArray plus = f.dup();
            plus.putScalar(n, j, f.getDouble(n, j) + h);
            INDArray minus = f.dup();
            minus.putScalar(n, j, f.getDouble(n, j) - h);
            INDArray diff = likelihood().gradient(plus, y, Reduction.SUM)
                    .sub(likelihood().gradient(minus, y, Reduction.SUM)).div(2 * h);
            for (int m = 0; m < N; m++) {
                for (int i = 0; i < C; i++) {
                    if (m == n) {
                        hess[i][j] = diff.getDouble(m, i);
                    } else {
                        assertEquals(0.0, diff.getDouble(m, i), 1e-9, "examples' losses are independent");
                    }
                }
            }
        }
        return hess;
    }

    @Test
    void hessianSqrtSquaresToTheHessian() {
        SplittableRandom random = new SplittableRandom(3);
        INDArray f = randomOutputs(random, N, C);
        INDArray y = targets(random, N, C);
        INDArray s = likelihood().hessianSqrt(f);
        int k = likelihood().hessianSqrtColumns(C);
        assertArrayEquals(new long[] {(long) k * N, C}, s.shape());
        for (int n = 0; n < N; n++) {
            double[][] expected = finiteDifferenceHessian(f, y, n);
            for (int i = 0; i < C; i++) {
                for (int j = 0; j < C; j++) {
                    double sst = 0;
                    for (int c = 0; c < k; c++) {
                        sst += s.getDouble((long) c * N + n, i) * s.getDouble((long) c * N + n, j);
                    }
                    assertEquals(expected[i][j], sst, 1e-8, "(S S^T)[" + i + "][" + j + "] of example " + n);
                }
            }
        }
    }

    @Test
    void sampledGradientOuterProductsAverageToTheFisher() {
        SplittableRandom random = new SplittableRandom(4);
        INDArray f = randomOutputs(random, N, C);
        INDArray y = targets(random, N, C);
        int samples = 40_000;
        INDArray g = likelihood().sampledGradients(f, samples, new SplittableRandom(5));
        assertArrayEquals(new long[] {(long) samples * N, C}, g.shape());
        double[] flat = g.dup('c').data().asDouble();
        for (int n = 0; n < N; n++) {
            double[][] fisher = finiteDifferenceHessian(f, y, n);
            double scale = 0;
            for (int i = 0; i < C; i++) {
                scale = Math.max(scale, Math.abs(fisher[i][i]));
            }
            double[][] outer = new double[C][C];
            for (int s = 0; s < samples; s++) {
                for (int i = 0; i < C; i++) {
                    double gi = flat[(s * N + n) * C + i];
                    for (int j = 0; j < C; j++) {
                        outer[i][j] += gi * flat[(s * N + n) * C + j];
                    }
                }
            }
            for (int i = 0; i < C; i++) {
                for (int j = 0; j < C; j++) {
                    assertEquals(fisher[i][j], outer[i][j], 0.05 * scale,
                            "MC Fisher[" + i + "][" + j + "] of example " + n);
                }
            }
        }
    }

    @Test
    void sampledGradientsAreDividedBySqrtSamples() {
        SplittableRandom random = new SplittableRandom(6);
        INDArray f = randomOutputs(random, N, C);
        INDArray one = likelihood().sampledGradients(f, 1, new SplittableRandom(9));
        INDArray four = likelihood().sampledGradients(f, 4, new SplittableRandom(9));
        // Same random stream: the first sample's draws coincide, only the 1/sqrt(samples) factor differs.
        INDArray firstOfFour = four.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, N),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertTrue(one.div(2).equalsWithEps(firstOfFour, 1e-12));
    }

    @Test
    void rejectsNonFiniteOutputs() {
        SplittableRandom random = new SplittableRandom(7);
        INDArray y = targets(random, N, C);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            INDArray f = randomOutputs(random, N, C);
            f.putScalar(1, 2, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> likelihood().loss(f, y, Reduction.SUM));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> likelihood().gradient(f, y, Reduction.SUM));
            assertThrows(IllegalArgumentException.class, () -> likelihood().hessianSqrt(f));
            assertThrows(IllegalArgumentException.class,
                    () -> likelihood().sampledGradients(f, 1, new SplittableRandom(1)));
        }
    }

    @Test
    void rejectsMismatchedShapes() {
        SplittableRandom random = new SplittableRandom(8);
        INDArray f = randomOutputs(random, N, C);
        INDArray tooFew = targets(random, N - 1, C);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> likelihood().loss(f, tooFew, Reduction.SUM));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> likelihood().gradient(f, tooFew, Reduction.MEAN));
        INDArray rank3 = Nd4j.zeros(DataType.DOUBLE, N, C, 1);
        assertThrows(IllegalArgumentException.class, () -> likelihood().hessianSqrt(rank3));
        assertThrows(IllegalArgumentException.class,
                () -> likelihood().sampledGradients(f, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> likelihood().loss(f, null, Reduction.SUM));
        assertThrows(IllegalArgumentException.class, () -> likelihood().gradient(f, null, Reduction.SUM));
        assertThrows(IllegalArgumentException.class, () -> likelihood().loss(f, targets(random, N, C), null));
    }
}
