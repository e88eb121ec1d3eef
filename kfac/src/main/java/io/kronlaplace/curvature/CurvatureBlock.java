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
    /**
     * The parameters this block covers.
     *
     * @return the dotted parameter name, e.g. "fc.weight", or several names joined by ',' for a dense block over a
     *         subset of the parameters
     */
    String name();

    /**
     * Number of parameters.
     *
     * @return the number of rows (and columns) of H, the length of every vector this block acts on
     */
    long dim();

    /**
     * The curvature-vector product H v.
     *
     * @param v a vector of length {@link #dim()}, rank 1 or a single row or column
     * @return H v as a rank-1 float64 vector of length {@link #dim()}
     * @throws IllegalArgumentException when {@code v} is null, misshapen or not finite
     */
    INDArray mvp(INDArray v);

    /**
     * The spectrum of H.
     *
     * @return the eigenvalues of H as a rank-1 float64 vector of length {@link #dim()}, all &gt;= 0; their order
     *         depends on the implementation
     */
    INDArray eigenvalues();

    /**
     * The log determinant of the posterior precision, {@code log det(scale H + delta I)}.
     *
     * @param scale the likelihood scaling, positive and finite
     * @param delta the prior precision, positive and finite
     * @return the natural log of the determinant
     * @throws IllegalArgumentException when scale or delta is not positive and finite
     */
    double logDet(double scale, double delta);

    /**
     * The trace of the posterior covariance, {@code tr (scale H + delta I)^{-1}}.
     *
     * @param scale the likelihood scaling, positive and finite
     * @param delta the prior precision, positive and finite
     * @return the sum of the covariance's diagonal, i.e. of the posterior's marginal variances
     * @throws IllegalArgumentException when scale or delta is not positive and finite
     */
    double traceDampedInverse(double scale, double delta);

    /**
     * The posterior covariance applied to a vector, {@code (scale H + delta I)^{-1} v}.
     *
     * @param v     a vector of length {@link #dim()}, rank 1 or a single row or column
     * @param scale the likelihood scaling, positive and finite
     * @param delta the prior precision, positive and finite
     * @return the product as a rank-1 float64 vector of length {@link #dim()}
     * @throws IllegalArgumentException when {@code v} is null, misshapen or not finite, or scale or delta is not
     *                                  positive and finite
     */
    INDArray dampedInverseMvp(INDArray v, double scale, double delta);

    /**
     * The symmetric square root of the posterior covariance applied to a vector, {@code (scale H + delta I)^{-1/2} v};
     * it maps N(0, I) draws to draws of a posterior sample's deviation from the mean.
     *
     * @param v     a vector of length {@link #dim()}, rank 1 or a single row or column
     * @param scale the likelihood scaling, positive and finite
     * @param delta the prior precision, positive and finite
     * @return the product as a rank-1 float64 vector of length {@link #dim()}
     * @throws IllegalArgumentException when {@code v} is null, misshapen or not finite, or scale or delta is not
     *                                  positive and finite
     */
    INDArray dampedInverseSqrtMvp(INDArray v, double scale, double delta);

    /**
     * The dense curvature (for tests and small blocks).
     *
     * @return H as a float64 {@code [dim, dim]} matrix
     * @throws IllegalStateException when the implementation builds H from factors and {@link #dim()} exceeds the
     *                               dense-size limit of 16384
     */
    INDArray dense();
}
