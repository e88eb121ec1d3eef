package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One layer's Kronecker block H = B (x) A (row-major vec(W), so H vec(W) = vec(B W A)) in its eigenbasis Q_B (x) Q_A,
 * with every closed form of the damped matrix {@code s H + delta I} the posterior, the marginal likelihood and the
 * optimiser need: damped powers applied to stacks of matrices ({@link #power}), the log-determinant, the trace of the
 * inverse and their derivatives in s and delta ({@link #terms}), and the log-determinant's sensitivities to the
 * factors ({@link #logDetGradientA}, {@link #logDetGradientB}). The bias block H = B is the same object with the
 * input factor A = [1] ({@link #ofBias}). The pair (s, delta) is an argument of every method, never part of the
 * factors. See docs/kronecker-eigenbasis.md.
 *
 * <p>Immutable; built once per eigendecomposition: O(Dout Din) for the eigenvalue grid l_B,i l_A,j and its sums.
 */
public final class KronEigenbasis {
    private final INDArray qa;
    private final INDArray qb;
    private final double[] la;
    private final double[] lb;
    private final INDArray eigenvalueGrid;
    private final SpectralSums spectralSums;

    private KronEigenbasis(INDArray qa, INDArray la, INDArray qb, INDArray lb) {
        this.qa = qa;
        this.qb = qb;
        this.la = la.toDoubleVector();
        this.lb = lb.toDoubleVector();
        this.eigenvalueGrid = lb.reshape(lb.length(), 1).mmul(la.reshape(1, la.length()));
        this.spectralSums = new SpectralSums(this.lb, this.la);
    }

    /**
     * The weight block B (x) A of a decomposed layer.
     *
     * @param decomposition the layer's factor eigendecompositions; its arrays are shared, not copied
     * @return the eigenbasis of the layer's weight block, of dimension Dout * Din
     * @throws NullPointerException when the decomposition is null
     */
    public static KronEigenbasis ofWeight(KronDecomposition decomposition) {
        Objects.requireNonNull(decomposition, "decomposition");
        return new KronEigenbasis(decomposition.qaView(), decomposition.laView(), decomposition.qbView(),
                decomposition.lbView());
    }

    /**
     * The bias block B (x) [1] = B of a decomposed layer: a bias is a weight column whose input is the constant 1.
     *
     * @param decomposition the layer's factor eigendecompositions; only B's eigenpairs are used, shared, not copied
     * @return the eigenbasis of the layer's bias block, of dimension Dout
     * @throws NullPointerException when the decomposition is null
     */
    public static KronEigenbasis ofBias(KronDecomposition decomposition) {
        Objects.requireNonNull(decomposition, "decomposition");
        INDArray one = Nd4j.ones(DataType.DOUBLE, 1, 1);
        return new KronEigenbasis(one, one.reshape(1), decomposition.qbView(), decomposition.lbView());
    }

    /**
     * The layer's output width.
     *
     * @return Dout, the number of rows and columns of B
     */
    public long outFeatures() {
        return lb.length;
    }

    /**
     * The layer's input width.
     *
     * @return Din, the number of rows and columns of A; 1 for a bias block
     */
    public long inFeatures() {
        return la.length;
    }

    /**
     * The number of parameters of the block.
     *
     * @return Dout * Din
     */
    public long dim() {
        return (long) lb.length * la.length;
    }

    /**
     * The eigenvalues of H.
     *
     * @return a new float64 {@code [Dout, Din]} grid with entry (i, j) = l_B,i l_A,j; flattened in row-major order it
     *         matches vec(W)
     */
    public INDArray eigenvalueGrid() {
        return eigenvalueGrid.dup('c');
    }

    /**
     * The sums over the eigenvalue grid, for callers that evaluate many (s, delta) pairs.
     *
     * @return the block's spectral sums, built once with this eigenbasis
     */
    public SpectralSums spectralSums() {
        return spectralSums;
    }

    /**
     * log det(s H + delta I), tr (s H + delta I)^{-1} and the log-determinant's derivatives in s and delta.
     *
     * @param s     curvature scale, positive and finite
     * @param delta damping (prior precision), positive and finite
     * @return the four sums at (s, delta)
     * @throws IllegalArgumentException when s or delta is not positive and finite
     */
    public SpectralSums.Terms terms(double s, double delta) {
        return spectralSums.terms(s, delta);
    }

    /**
     * The damped power (s H + delta I)^p, ready to apply to stacks of matrices in the given type.
     *
     * @param s     curvature scale, positive and finite
     * @param delta damping, finite and &gt;= 0; 0 only when p &gt;= 0 or H has no zero eigenvalue
     * @param p     any finite power (-1, -1/2, 1/2 and 1 are the common ones)
     * @param type  FLOAT or DOUBLE: the type of the stacks it will be applied to; the products run on the kernels of
     *              the configured device ({@link ComputeDevices#configured()})
     * @return the damped power, holding the eigenvectors and the scaled eigenvalue grid in {@code type}
     * @throws IllegalArgumentException on a bad scale, damping, power or type, or when a negative power of a singular
     *                                  undamped block is asked for
     */
    public DampedKronPower power(double s, double delta, double p, DataType type) {
        return power(s, delta, p, type, ComputeDevices.configured());
    }

    /**
     * {@link #power(double, double, double, DataType)} whose products run on the given compute kernels (those the
     * caller's posterior or optimiser was configured with).
     *
     * @param s       curvature scale, positive and finite
     * @param delta   damping, finite and &gt;= 0; 0 only when p &gt;= 0 or H has no zero eigenvalue
     * @param p       any finite power (-1, -1/2, 1/2 and 1 are the common ones)
     * @param type    FLOAT or DOUBLE: the type of the stacks it will be applied to
     * @param kernels the compute kernels the products run on; not null
     * @return the damped power, holding the eigenvectors and the scaled eigenvalue grid in {@code type}
     * @throws NullPointerException     when the kernels are null
     * @throws IllegalArgumentException on a bad scale, damping, power or type, or when a negative power of a singular
     *                                  undamped block is asked for
     */
    public DampedKronPower power(double s, double delta, double p, DataType type, ComputeKernels kernels) {
        Objects.requireNonNull(kernels, "kernels");
        Checks.requirePositive(s, "scale s");
        if (!(delta >= 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("damping delta must be finite and >= 0, got " + delta);
        }
        if (!Double.isFinite(p)) {
            throw new IllegalArgumentException("power must be finite, got " + p);
        }
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("damped powers run in FLOAT or DOUBLE, got " + type);
        }
        if (delta == 0 && p < 0 && eigenvalueGrid.minNumber().doubleValue() == 0) {
            throw new IllegalArgumentException("the block is singular (an eigenvalue is 0) and delta = 0: the power "
                    + p + " does not exist; use a positive damping");
        }
        INDArray scaled = Transforms.pow(eigenvalueGrid.mul(s).addi(delta), p, false);
        return new DampedKronPower(qa, qb, scaled, type, kernels);
    }

    /**
     * d log det(s B (x) A + delta I) / dA = Q_A diag_j(sum_i s l_B,i / (s l_B,i l_A,j + delta)) Q_A^T.
     *
     * @param s     curvature scale, positive and finite
     * @param delta damping (prior precision), positive and finite
     * @return the Din x Din gradient, kept in A's eigenbasis
     * @throws IllegalArgumentException when s or delta is not positive and finite
     */
    public EigenbasisMatrix logDetGradientA(double s, double delta) {
        return new EigenbasisMatrix(qa, logDetWeights(la, lb, s, delta));
    }

    /**
     * d log det(s B (x) A + delta I) / dB = Q_B diag_i(sum_j s l_A,j / (s l_B,i l_A,j + delta)) Q_B^T; for a bias
     * block (A = [1]) this is Q_B diag(s / (s l_B + delta)) Q_B^T.
     *
     * @param s     curvature scale, positive and finite
     * @param delta damping (prior precision), positive and finite
     * @return the Dout x Dout gradient, kept in B's eigenbasis
     * @throws IllegalArgumentException when s or delta is not positive and finite
     */
    public EigenbasisMatrix logDetGradientB(double s, double delta) {
        return new EigenbasisMatrix(qb, logDetWeights(lb, la, s, delta));
    }

    /** w_k = sum_m s other_m / (s own_k other_m + delta): the eigenvalues of d logdet / d(own factor). */
    private static double[] logDetWeights(double[] own, double[] other, double s, double delta) {
        Checks.requirePositive(s, "scale s");
        Checks.requirePositive(delta, "damping delta");
        double[] w = new double[own.length];
        for (int k = 0; k < own.length; k++) {
            double sum = 0;
            for (double o : other) {
                sum += s * o / (s * own[k] * o + delta);
            }
            w[k] = sum;
        }
        return w;
    }
}
