package io.kronlaplace.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Curvature H (a GGN or Fisher approximation, positive semi-definite) of one parameter group, e.g. "fc.weight" or
 * "fc.bias", over its flat row-major parameter vector, with the closed forms a Laplace posterior of precision
 * {@code scale * H + delta * I} needs. All vectors and results are float64; vectors may be given as rank-1 arrays or
 * single rows/columns of length {@link #dim()}, results are rank-1 of length {@link #dim()}.
 *
 * <p>{@code scale} is the likelihood scaling (1 / (sigma^2 T) for tempered Gaussian likelihoods, 1 otherwise) and
 * {@code delta} the prior precision; both must be positive and finite.
 */
public interface CurvatureBlock {
    /** Dotted parameter name this block covers (several names joined by ',' for a dense block over a subset). */
    String name();

    /** Number of parameters (rows of H). */
    long dim();

    /** H v. */
    INDArray mvp(INDArray v);

    /** The eigenvalues of H (flat, length {@link #dim()}, all >= 0; order depends on the implementation). */
    INDArray eigenvalues();

    /** log det(scale H + delta I). */
    double logDet(double scale, double delta);

    /** tr (scale H + delta I)^{-1}. */
    double traceDampedInverse(double scale, double delta);

    /** (scale H + delta I)^{-1} v. */
    INDArray dampedInverseMvp(INDArray v, double scale, double delta);

    /** (scale H + delta I)^{-1/2} v with the symmetric square root (maps N(0, I) draws to posterior samples). */
    INDArray dampedInverseSqrtMvp(INDArray v, double scale, double delta);

    /** The dense dim x dim matrix H (for tests and small blocks). */
    INDArray dense();
}
