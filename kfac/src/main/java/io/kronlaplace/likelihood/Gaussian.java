package io.kronlaplace.likelihood;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Homoscedastic Gaussian likelihood for regression, {@code y_n ~ N(f_n, sigma^2 I)}, outputs and targets
 * {@code N x C}. The loss of example n is the full negative log density
 * {@code ||y_n - f_n||^2 / (2 sigma^2) + C log(sigma sqrt(2 pi))}, so the summed loss carries the normaliser
 * {@code N C log(sigma sqrt(2 pi))} that the marginal likelihood needs when sigma is tuned.
 *
 * <p>The per-example Hessian w.r.t. the outputs is {@code I / sigma^2}; its square root is {@code I / sigma}.
 */
public final class Gaussian implements Likelihood {
    private static final String NAME = "Gaussian";
    private final double sigma;

    /**
     * @param sigma observation noise standard deviation, in the units of the targets; finite and > 0
     */
    public Gaussian(double sigma) {
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("Gaussian: observation noise sigma must be finite and > 0, got "
                    + sigma);
        }
        this.sigma = sigma;
    }

    /**
     * The observation noise.
     *
     * @return the standard deviation sigma given to the constructor, in the units of the targets
     */
    public double sigma() {
        return sigma;
    }

    @Override
    public double loss(INDArray outputs, INDArray targets, Reduction reduction) {
        LikelihoodInputs.requireReduction(reduction);
        double[] residual = residuals(outputs, targets);
        long n = outputs.size(0);
        long c = outputs.size(1);
        double squares = 0;
        for (double r : residual) {
            squares += r * r;
        }
        double total = squares / (2 * sigma * sigma) + n * c * Math.log(sigma * Math.sqrt(2 * Math.PI));
        return reduction == Reduction.MEAN ? total / n : total;
    }

    @Override
    public INDArray gradient(INDArray outputs, INDArray targets, Reduction reduction) {
        LikelihoodInputs.requireReduction(reduction);
        double[] residual = residuals(outputs, targets);
        long n = outputs.size(0);
        double scale = (reduction == Reduction.MEAN ? 1.0 / n : 1.0) / (sigma * sigma);
        for (int i = 0; i < residual.length; i++) {
            residual[i] *= scale;
        }
        return LikelihoodInputs.fromDoubles(residual, outputs.dataType(), n, outputs.size(1));
    }

    @Override
    public INDArray hessianSqrt(INDArray outputs) {
        LikelihoodInputs.requireOutputs(outputs, NAME);
        int n = Math.toIntExact(outputs.size(0));
        int c = Math.toIntExact(outputs.size(1));
        double[] s = new double[c * n * c];
        for (int col = 0; col < c; col++) {
            for (int row = 0; row < n; row++) {
                s[(col * n + row) * c + col] = 1.0 / sigma;
            }
        }
        return LikelihoodInputs.fromDoubles(s, outputs.dataType(), (long) c * n, c);
    }

    @Override
    public INDArray sampledGradients(INDArray outputs, int samples, SplittableRandom random) {
        LikelihoodInputs.requireSamples(samples);
        Objects.requireNonNull(random, "random");
        LikelihoodInputs.requireOutputs(outputs, NAME);
        int n = Math.toIntExact(outputs.size(0));
        int c = Math.toIntExact(outputs.size(1));
        // y = f + sigma * eps gives the gradient (f - y) / sigma^2 = -eps / sigma.
        double scale = -1.0 / (sigma * Math.sqrt(samples));
        double[] g = new double[samples * n * c];
        for (int i = 0; i < g.length; i++) {
            g[i] = scale * LikelihoodInputs.gaussian(random);
        }
        return LikelihoodInputs.fromDoubles(g, outputs.dataType(), (long) samples * n, c);
    }

    /** f - y as a row-major double array, after validating both. */
    private static double[] residuals(INDArray outputs, INDArray targets) {
        double[] f = LikelihoodInputs.requireOutputs(outputs, NAME);
        if (targets == null || !Arrays.equals(targets.shape(), outputs.shape())) {
            throw new IllegalArgumentException(NAME + ": targets must have the outputs' shape "
                    + Arrays.toString(outputs.shape()) + ", got "
                    + (targets == null ? "null" : Arrays.toString(targets.shape())));
        }
        double[] y = LikelihoodInputs.toDoubles(targets);
        LikelihoodInputs.requireFinite(y, NAME + ": targets");
        for (int i = 0; i < f.length; i++) {
            f[i] -= y[i];
        }
        return f;
    }
}
