package io.kronlaplace.curvature;

import java.util.Arrays;

/**
 * Fast sums over the eigenvalues of one curvature block for the marginal likelihood: for eigenvalues
 * lambda_ij = outer_i * inner_j (a Kronecker block B (x) A: outer = eigenvalues of B, inner = of A; any other block:
 * outer = {1}) it evaluates
 * <pre>  sumLog = sum_ij log(s lambda_ij + d),   sumInv = sum_ij 1 / (s lambda_ij + d).</pre>
 *
 * <p>Built once per fit. The inner eigenvalues are sorted in decreasing order with chunked suffix sums of their
 * powers, so that for each outer value only the entries with x = s lambda / d above {@value #CUT} cost a logarithm;
 * the rest are summed in O(1) with the series log(1 + x) and 1 / (1 + x) to order {@value #ORDER} (truncation error
 * below x^6 / 6 ~ 1e-19 relative). K-FAC spectra decay fast, which makes a hyperstep on a large network cheap.
 * See docs/kronecker-eigenbasis.md, section Log-determinant and traces.
 */
public final class SpectralSums {
    static final double CUT = 1e-3;
    static final int ORDER = 5;
    private static final int CHUNK = 32;

    private final double[] outer;
    private final double[] inner;
    /** powerSuffix[k - 1][c] = sum over j >= c * CHUNK of inner_j^k. */
    private final double[][] powerSuffix;

    /**
     * @param outer eigenvalues of the outer factor (>= 0), or {1} for an unstructured block
     * @param inner eigenvalues of the inner factor or of the whole block (>= 0)
     */
    public SpectralSums(double[] outer, double[] inner) {
        this.outer = outer.clone();
        double[] sorted = inner.clone();
        for (double v : sorted) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("curvature eigenvalues must be finite and >= 0, got " + v);
            }
        }
        for (double v : this.outer) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("curvature eigenvalues must be finite and >= 0, got " + v);
            }
        }
        Arrays.sort(sorted);
        for (int i = 0, j = sorted.length - 1; i < j; i++, j--) {
            double t = sorted[i];
            sorted[i] = sorted[j];
            sorted[j] = t;
        }
        this.inner = sorted;
        int chunks = (sorted.length + CHUNK - 1) / CHUNK;
        this.powerSuffix = new double[ORDER][chunks + 1];
        for (int c = chunks - 1; c >= 0; c--) {
            int end = Math.min(sorted.length, (c + 1) * CHUNK);
            for (int k = 0; k < ORDER; k++) {
                double s = 0;
                for (int j = c * CHUNK; j < end; j++) {
                    s += Math.pow(sorted[j], k + 1);
                }
                powerSuffix[k][c] = powerSuffix[k][c + 1] + s;
            }
        }
    }

    /**
     * Sums for an unstructured (diagonal or dense) block with the given eigenvalues.
     *
     * @param eigenvalues the block's eigenvalues, each finite and &gt;= 0, in any order; the array is copied
     * @return the sums over these eigenvalues, with the outer factor {1}
     * @throws IllegalArgumentException when an eigenvalue is negative, NaN or infinite
     */
    public static SpectralSums of(double[] eigenvalues) {
        return new SpectralSums(new double[] {1.0}, eigenvalues);
    }

    /**
     * Number of eigenvalues summed over.
     *
     * @return the outer count times the inner count, the dimension N of the block
     */
    public long dim() {
        return (long) outer.length * inner.length;
    }

    /**
     * Writes {@code out[0] = sum log(s lambda + d)} and {@code out[1] = sum 1 / (s lambda + d)}.
     *
     * @param s   curvature scale 1 / (sigma^2 T), &gt; 0; not checked here ({@link #terms} checks it)
     * @param d   prior precision, &gt; 0; not checked here
     * @param out receives the two sums; length at least 2, only entries 0 and 1 are written
     */
    public void sums(double s, double d, double[] out) {
        double sumLog = 0;
        double sumInv = 0;
        double logD = Math.log(d);
        double invD = 1.0 / d;
        int n = inner.length;
        double[] pow = new double[ORDER];
        for (double o : outer) {
            double c = s * o;
            int m = firstBelow(c * invD);
            for (int j = 0; j < m; j++) {
                double t = c * inner[j] + d;
                sumLog += Math.log(t);
                sumInv += 1.0 / t;
            }
            int tail = n - m;
            if (tail == 0) {
                continue;
            }
            tailPowers(m, pow);
            double ck = 1.0;
            double seriesLog = 0;
            double seriesInv = tail;
            double x = c * invD;
            for (int k = 0; k < ORDER; k++) {
                ck *= x;
                double term = ck * pow[k];
                // log(1 + x) = sum (-1)^(k+1) x^k / k ; 1 / (1 + x) = sum (-x)^k
                seriesLog += ((k & 1) == 0 ? term : -term) / (k + 1);
                seriesInv += ((k & 1) == 0 ? -term : term);
            }
            sumLog += tail * logD + seriesLog;
            sumInv += invD * seriesInv;
        }
        out[0] = sumLog;
        out[1] = sumInv;
    }

    /**
     * The log-determinant of {@code s H + d I}, the trace of its inverse and the derivatives of the log-determinant
     * in s and d, where H has the eigenvalues lambda_ij.
     *
     * @param s curvature scale, positive and finite
     * @param d damping (prior precision), positive and finite
     * @return the log-determinant, the trace of the inverse and the log-determinant's two derivatives at (s, d)
     * @throws IllegalArgumentException when s or d is not positive and finite
     */
    public Terms terms(double s, double d) {
        Checks.requirePositive(s, "scale s");
        Checks.requirePositive(d, "damping delta");
        double[] out = new double[2];
        sums(s, d, out);
        // d/ds sum log(s l + d) = sum l / (s l + d) = (N - d sum 1 / (s l + d)) / s
        return new Terms(out[0], out[1], (dim() - d * out[1]) / s, out[1]);
    }

    /**
     * The sums at one (s, d).
     *
     * @param logDet                  sum_ij log(s lambda_ij + d)
     * @param traceInverse            sum_ij 1 / (s lambda_ij + d)
     * @param logDetScaleDerivative   d logDet / ds = sum_ij lambda_ij / (s lambda_ij + d)
     * @param logDetDampingDerivative d logDet / dd = traceInverse
     */
    public record Terms(double logDet, double traceInverse, double logDetScaleDerivative,
                        double logDetDampingDerivative) {
    }

    /** Index of the first inner eigenvalue with factor * inner_j below CUT (inner is decreasing). */
    private int firstBelow(double factor) {
        int lo = 0;
        int hi = inner.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (factor * inner[mid] >= CUT) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void tailPowers(int m, double[] pow) {
        int c = (m + CHUNK - 1) / CHUNK;
        int boundary = Math.min(inner.length, c * CHUNK);
        for (int k = 0; k < ORDER; k++) {
            pow[k] = powerSuffix[k][c];
        }
        for (int j = m; j < boundary; j++) {
            double v = inner[j];
            double p = v;
            for (int k = 0; k < ORDER; k++) {
                pow[k] += p;
                p *= v;
            }
        }
    }
}
