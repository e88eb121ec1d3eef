package io.kronlaplace.curvature;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Closed forms of f(scale H + delta I) given the eigenvalues of H: what every block type shares. */
final class Spectrum {
    /** The largest block {@link CurvatureBlock#dense()} materialises (a 16384^2 float64 matrix is 2 GiB). */
    static final long MAX_DENSE_DIM = 16_384;

    private Spectrum() {
    }

    static double logDet(INDArray eigenvalues, double scale, double delta) {
        Checks.requirePositive(scale, "scale");
        Checks.requirePositive(delta, "delta (prior precision)");
        return Transforms.log(eigenvalues.mul(scale).addi(delta), false).sumNumber().doubleValue();
    }

    static double traceInverse(INDArray eigenvalues, double scale, double delta) {
        Checks.requirePositive(scale, "scale");
        Checks.requirePositive(delta, "delta (prior precision)");
        return Transforms.pow(eigenvalues.mul(scale).addi(delta), -1.0, false).sumNumber().doubleValue();
    }

    /** (scale l + delta)^power elementwise, a new array of the same shape. */
    static INDArray dampedPower(INDArray eigenvalues, double scale, double delta, double power) {
        Checks.requirePositive(scale, "scale");
        Checks.requirePositive(delta, "delta (prior precision)");
        return Transforms.pow(eigenvalues.mul(scale).addi(delta), power, false);
    }

    /**
     * (scale H + delta I)^power v for a Kronecker block's float64 vector v, with the positive scale and prior
     * precision every {@link CurvatureBlock} requires (the eigenbasis itself also accepts delta = 0).
     */
    static INDArray dampedPowerProduct(KronEigenbasis eigenbasis, INDArray v, double scale, double delta,
                                       double power) {
        Checks.requirePositive(scale, "scale");
        Checks.requirePositive(delta, "delta (prior precision)");
        return eigenbasis.power(scale, delta, power, DataType.DOUBLE).apply(v);
    }

    /** Q diag(f) Q^T v for a vector v (length n), result rank 1. */
    static INDArray apply(INDArray q, INDArray f, INDArray v) {
        long n = q.size(0);
        INDArray rotated = q.transpose().mmul(v.reshape(n, 1));
        rotated.muliColumnVector(f.reshape(n, 1));
        return q.mmul(rotated).reshape(n);
    }

    /** Q diag(l) Q^T. */
    static INDArray reconstruct(INDArray q, INDArray l) {
        return q.mulRowVector(l.reshape(1, l.length())).mmul(q.transpose());
    }

    static void requireDenseSize(long dim, String name) {
        if (dim > MAX_DENSE_DIM) {
            throw new IllegalStateException("block '" + name + "' has " + dim + " parameters; dense() is limited to "
                    + MAX_DENSE_DIM);
        }
    }

    /** kron(b, a): entry (i * na + j, k * na + l) = b[i, k] a[j, l]. */
    static INDArray kron(INDArray b, INDArray a) {
        int nb = Math.toIntExact(b.size(0));
        int na = Math.toIntExact(a.size(0));
        double[] bv = b.dup('c').data().asDouble();
        double[] av = a.dup('c').data().asDouble();
        int n = nb * na;
        double[] out = new double[n * n];
        for (int i = 0; i < nb; i++) {
            for (int k = 0; k < nb; k++) {
                double bik = bv[i * nb + k];
                for (int j = 0; j < na; j++) {
                    int row = (i * na + j) * n + k * na;
                    for (int l = 0; l < na; l++) {
                        out[row + l] = bik * av[j * na + l];
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {n, n}, 'c');
    }

    static INDArray doubles(INDArray x) {
        return x.dataType() == DataType.DOUBLE ? x : x.castTo(DataType.DOUBLE);
    }
}
