package io.kronlaplace.laplace;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A factor R with {@code R R^T = P^-1} for {@code P = s H + diag(delta)}: R = L^-T with L the lower Cholesky factor
 * of P, from LAPACK {@code dpotrf} and {@code dtrtri} of the pinned OpenBLAS (blocked, O(dim^3 / 3) each). For a
 * 5,130-parameter last layer this takes about a tenth of an eigendecomposition of its weight block, so a prediction
 * at a given prior needs no eigendecomposition.
 */
final class CholeskyRoot {
    private static final int COLUMN_MAJOR = 102;

    private CholeskyRoot() {
    }

    /**
     * @param hessian the dense GGN, {@code dim x dim}, symmetric
     * @param s       the GGN's scale (positive)
     * @param delta   the prior precision of each parameter
     * @return R = L^-T, {@code dim x dim} float64, upper triangular
     * @throws IllegalStateException when P is not positive definite
     */
    static INDArray of(INDArray hessian, double s, double[] delta) {
        int n = Math.toIntExact(hessian.size(0));
        if (delta.length != n) {
            throw new IllegalArgumentException("prior has " + delta.length + " values for " + n + " parameters");
        }
        double[] p = hessian.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < p.length; i++) {
            p[i] *= s;
        }
        for (int i = 0; i < n; i++) {
            p[i * n + i] += delta[i];
        }
        // the row-major lower triangle is the column-major upper one: P = U^T U there, with U^T = L here
        try (DoublePointer buffer = new DoublePointer(p)) {
            int info = openblas.LAPACKE_dpotrf(COLUMN_MAJOR, (byte) 'U', n, buffer, n);
            if (info != 0) {
                throw new IllegalStateException("posterior precision is not positive definite (Cholesky failed, info="
                        + info + ") at scale " + s);
            }
            info = openblas.LAPACKE_dtrtri(COLUMN_MAJOR, (byte) 'U', (byte) 'N', n, buffer, n);
            if (info != 0) {
                throw new IllegalStateException("Cholesky factor of the posterior precision is singular (info="
                        + info + ")");
            }
            buffer.get(p);
        }
        // p now holds L^-1 in its row-major lower triangle; R = L^-T is its transpose, upper triangular
        double[] root = new double[p.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                root[j * n + i] = p[i * n + j];
            }
        }
        return Nd4j.create(root, new long[] {n, n}, 'c');
    }
}
