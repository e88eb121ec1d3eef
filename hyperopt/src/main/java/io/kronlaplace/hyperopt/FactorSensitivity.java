package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.EigenbasisMatrix;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Derivatives of a layer's log-determinant terms w.r.t. its Kronecker factors, kept in the factors' eigenbases: a
 * change dA, dB of the factors changes the log-determinant by {@code <G_A, dA> + <G_B, dB>} to first order, with
 * {@code G_A = Q_A diag(inputWeights) Q_A^T} and {@code G_B = Q_B diag(gradientWeights) Q_B^T}
 * ({@link io.kronlaplace.curvature.KronEigenbasis#logDetGradientA} and {@code logDetGradientB} give them).
 *
 * <p>Only products {@code rows * G} are offered; {@link EigenbasisMatrix#rowsTimes} picks the eigenbasis route for
 * few rows and a once-formed dense G for many (see docs/kronecker-eigenbasis.md, section Sensitivities to the
 * factors).
 */
public final class FactorSensitivity {
    private final EigenbasisMatrix input;
    private final EigenbasisMatrix gradient;

    /**
     * @param qa              eigenvectors of A (columns), Din x Din, float64
     * @param inputWeights    Din weights of G_A in that basis
     * @param qb              eigenvectors of B (columns), Dout x Dout, float64
     * @param gradientWeights Dout weights of G_B in that basis
     */
    public FactorSensitivity(INDArray qa, double[] inputWeights, INDArray qb, double[] gradientWeights) {
        this(new EigenbasisMatrix(qa, inputWeights), new EigenbasisMatrix(qb, gradientWeights));
    }

    /**
     * @param input    G_A, Din x Din
     * @param gradient G_B, Dout x Dout
     */
    public FactorSensitivity(EigenbasisMatrix input, EigenbasisMatrix gradient) {
        this.input = input;
        this.gradient = gradient;
    }

    /**
     * Multiplies rows by the input factor's sensitivity.
     *
     * @param rows float64 rows {@code [r, Din]}, e.g. layer inputs
     * @return {@code rows * G_A}, {@code [r, Din]} float64
     */
    public INDArray timesInputFactor(INDArray rows) {
        return input.rowsTimes(rows);
    }

    /**
     * Multiplies rows by the gradient factor's sensitivity.
     *
     * @param rows float64 rows {@code [r, Dout]}, e.g. back-propagated output gradients
     * @return {@code rows * G_B}, {@code [r, Dout]} float64
     */
    public INDArray timesGradientFactor(INDArray rows) {
        return gradient.rowsTimes(rows);
    }
}
