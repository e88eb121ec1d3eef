package io.kronlaplace.hyperopt.augment;

/**
 * Matrix exponential of small dense matrices and its Fréchet derivative, on row-major {@code double[]} arrays.
 *
 * <p>expm uses scaling and squaring: A is divided by 2^s until its 1-norm is at most 1/2, the Taylor series of the
 * scaled matrix is summed until the next term is below double rounding (at most 18 terms at norm 1/2, truncation
 * error under 1e-19 relative), and the result is squared s times. The Fréchet derivative
 * {@code L(A, E) = d/dt expm(A + t E) at t = 0} is the upper-right block of
 * {@code expm([[A, E], [0, A]])} (Mathias 1996), which is exact up to rounding; E is scaled to unit norm first so the
 * block's norm, and hence the number of squarings, is set by A.
 */
public final class MatrixExponential {
    private static final double SCALED_NORM = 0.5;
    private static final int MAX_TERMS = 30;

    private MatrixExponential() {
    }

    /**
     * expm(A).
     *
     * @param a row-major n x n matrix (not modified)
     * @param n the dimension
     * @return a new row-major n x n array
     */
    public static double[] expm(double[] a, int n) {
        requireSquare(a, n, "A");
        double norm = norm1(a, n);
        if (!Double.isFinite(norm)) {
            throw new IllegalArgumentException("matrix exponential of a matrix with NaN or infinite entries");
        }
        int squarings = 0;
        if (norm > SCALED_NORM) {
            squarings = Math.max(0, Math.getExponent(norm / SCALED_NORM) + 1);
        }
        double scale = Math.scalb(1.0, -squarings);
        double[] scaled = new double[n * n];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = a[i] * scale;
        }
        double[] result = taylor(scaled, n);
        double[] tmp = new double[n * n];
        for (int k = 0; k < squarings; k++) {
            multiply(result, result, tmp, n);
            double[] swap = result;
            result = tmp;
            tmp = swap;
        }
        return result;
    }

    /**
     * Fréchet derivative of expm at A in direction E: {@code L(A, E) = d/dt expm(A + t E)} at t = 0.
     * Its adjoint under the Frobenius inner product is {@code L(A^T, .)}: {@code <G, L(A, E)> = <L(A^T, G), E>}.
     *
     * @param a row-major n x n matrix
     * @param e row-major n x n direction
     * @param n the dimension
     * @return a new row-major n x n array
     */
    public static double[] frechet(double[] a, double[] e, int n) {
        requireSquare(a, n, "A");
        requireSquare(e, n, "E");
        double eNorm = norm1(e, n);
        if (eNorm == 0) {
            return new double[n * n];
        }
        if (!Double.isFinite(eNorm)) {
            throw new IllegalArgumentException("Fréchet derivative in a direction with NaN or infinite entries");
        }
        int m = 2 * n;
        double[] block = new double[m * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double aij = a[i * n + j];
                block[i * m + j] = aij;
                block[(i + n) * m + j + n] = aij;
                block[i * m + j + n] = e[i * n + j] / eNorm;
            }
        }
        double[] big = expm(block, m);
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = big[i * m + j + n] * eNorm;
            }
        }
        return out;
    }

    /**
     * The transpose of a square matrix.
     *
     * @param a row-major n x n values (not changed)
     * @param n the side n
     * @return a new row-major n x n array holding {@code a^T}
     */
    public static double[] transpose(double[] a, int n) {
        double[] t = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j * n + i] = a[i * n + j];
            }
        }
        return t;
    }

    private static double[] taylor(double[] a, int n) {
        double[] sum = new double[n * n];
        for (int i = 0; i < n; i++) {
            sum[i * n + i] = 1.0;
        }
        double[] term = sum.clone();
        double[] next = new double[n * n];
        for (int k = 1; k <= MAX_TERMS; k++) {
            multiply(term, a, next, n);
            double inv = 1.0 / k;
            double termMax = 0;
            double sumMax = 0;
            for (int i = 0; i < next.length; i++) {
                double v = next[i] * inv;
                next[i] = v;
                sum[i] += v;
                termMax = Math.max(termMax, Math.abs(v));
                sumMax = Math.max(sumMax, Math.abs(sum[i]));
            }
            double[] swap = term;
            term = next;
            next = swap;
            if (termMax <= 1e-18 * sumMax) {
                break;
            }
        }
        return sum;
    }

    private static void multiply(double[] x, double[] y, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += x[i * n + k] * y[k * n + j];
                }
                out[i * n + j] = s;
            }
        }
    }

    private static double norm1(double[] a, int n) {
        double max = 0;
        for (int j = 0; j < n; j++) {
            double col = 0;
            for (int i = 0; i < n; i++) {
                col += Math.abs(a[i * n + j]);
            }
            if (Double.isNaN(col)) {
                return Double.NaN;
            }
            max = Math.max(max, col);
        }
        return max;
    }

    private static void requireSquare(double[] a, int n, String what) {
        if (n < 1 || a.length != n * n) {
            throw new IllegalArgumentException(what + " must be a row-major " + n + " x " + n + " matrix, got "
                    + a.length + " entries");
        }
    }
}
