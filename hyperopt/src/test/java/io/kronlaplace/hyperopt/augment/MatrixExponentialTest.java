package io.kronlaplace.hyperopt.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.ode.FirstOrderDifferentialEquations;
import org.apache.commons.math3.ode.nonstiff.DormandPrince853Integrator;
import org.junit.jupiter.api.Test;

class MatrixExponentialTest {

    /** Reference expm(A) = X(1) for X' = A X, X(0) = I, by an adaptive 8th-order Runge-Kutta integrator. */
    private static double[] expmByOde(double[] a, int n) {
        FirstOrderDifferentialEquations ode = new FirstOrderDifferentialEquations() {
            @Override
            public int getDimension() {
                return n * n;
            }

            @Override
            public void computeDerivatives(double t, double[] x, double[] dx) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int k = 0; k < n; k++) {
                            s += a[i * n + k] * x[k * n + j];
                        }
                        dx[i * n + j] = s;
                    }
                }
            }
        };
        double[] x = new double[n * n];
        for (int i = 0; i < n; i++) {
            x[i * n + i] = 1;
        }
        new DormandPrince853Integrator(1e-10, 0.1, 1e-15, 1e-14).integrate(ode, 0, x, 1, x);
        return x;
    }

    private static double[] random(int n, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = scale * (2 * r.nextDouble() - 1);
        }
        return a;
    }

    private static double maxAbsDiff(double[] x, double[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void zeroMatrixGivesIdentityExactly() {
        double[] e = MatrixExponential.expm(new double[9], 3);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(i == j ? 1.0 : 0.0, e[i * 3 + j]);
            }
        }
    }

    @Test
    void rotationGeneratorGivesRotation() {
        for (double t : new double[] {0.3, -1.2, Math.PI / 2, 5.0}) {
            double[] e = MatrixExponential.expm(new double[] {0, -t, 0, t, 0, 0, 0, 0, 0}, 3);
            double[] expected = {Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1};
            assertTrue(maxAbsDiff(e, expected) < 1e-14, "rotation by " + t);
        }
    }

    @Test
    void scaleWithShiftMatchesClosedForm() {
        // expm([[a, 0, b], [0, 0, 0], [0, 0, 0]]) = [[e^a, 0, b (e^a - 1) / a], [0, 1, 0], [0, 0, 1]]
        double a = 0.7;
        double b = -0.4;
        double[] e = MatrixExponential.expm(new double[] {a, 0, b, 0, 0, 0, 0, 0, 0}, 3);
        double[] expected = {Math.exp(a), 0, b * Math.expm1(a) / a, 0, 1, 0, 0, 0, 1};
        assertTrue(maxAbsDiff(e, expected) < 1e-14, "error " + maxAbsDiff(e, expected));
    }

    @Test
    void symmetricShearGivesHyperbolicFunctions() {
        double t = 1.7;
        double[] e = MatrixExponential.expm(new double[] {0, t, 0, t, 0, 0, 0, 0, 0}, 3);
        double[] expected = {Math.cosh(t), Math.sinh(t), 0, Math.sinh(t), Math.cosh(t), 0, 0, 0, 1};
        assertTrue(maxAbsDiff(e, expected) < 1e-14);
    }

    @Test
    void randomMatricesMatchOdeReference() {
        for (int n : new int[] {3, 6}) {
            for (double scale : new double[] {0.05, 1.0, 4.0}) {
                double[] a = random(n, scale, 31L * n + (long) (scale * 100));
                double[] ref = expmByOde(a, n);
                double err = maxAbsDiff(MatrixExponential.expm(a, n), ref) / maxAbs(ref);
                assertTrue(err < 1e-12, "n=" + n + " scale=" + scale + " relative error " + err);
            }
        }
    }

    @Test
    void frechetDerivativeMatchesCentralDifferences() {
        double[] a = random(3, 1.5, 7);
        double[] e = random(3, 1.0, 8);
        double[] l = MatrixExponential.frechet(a, e, 3);
        double h = 1e-5;
        double[] plus = new double[9];
        double[] minus = new double[9];
        for (int i = 0; i < 9; i++) {
            plus[i] = a[i] + h * e[i];
            minus[i] = a[i] - h * e[i];
        }
        double[] ep = MatrixExponential.expm(plus, 3);
        double[] em = MatrixExponential.expm(minus, 3);
        double[] fd = new double[9];
        for (int i = 0; i < 9; i++) {
            fd[i] = (ep[i] - em[i]) / (2 * h);
        }
        assertTrue(maxAbsDiff(l, fd) / maxAbs(fd) < 1e-8, "relative error " + maxAbsDiff(l, fd) / maxAbs(fd));
    }

    @Test
    void frechetDerivativeAtZeroIsTheDirection() {
        double[] e = random(3, 2.0, 9);
        assertTrue(maxAbsDiff(MatrixExponential.frechet(new double[9], e, 3), e) < 1e-15);
    }

    @Test
    void frechetAdjointIsFrechetAtTranspose() {
        double[] a = random(3, 2.0, 11);
        double[] e = random(3, 1.0, 12);
        double[] g = random(3, 1.0, 13);
        double lhs = dot(g, MatrixExponential.frechet(a, e, 3));
        double rhs = dot(MatrixExponential.frechet(MatrixExponential.transpose(a, 3), g, 3), e);
        assertEquals(lhs, rhs, 1e-12 * Math.abs(lhs));
    }

    @Test
    void rejectsNonFiniteAndMisshapenInput() {
        assertThrows(IllegalArgumentException.class,
                () -> MatrixExponential.expm(new double[] {0, Double.NaN, 0, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> MatrixExponential.expm(new double[5], 2));
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
