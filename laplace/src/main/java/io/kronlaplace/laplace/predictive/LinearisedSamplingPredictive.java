package io.kronlaplace.laplace.predictive;

import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The linearised Monte-Carlo predictive: S weight deviations v_s = theta_s - theta* drawn once from the posterior
 * N(0, P^-1) (for KRON through each layer's damped Kronecker square root in the factors' eigenbases), and for every
 * input the linearised outputs f(x; theta*) + J(x) v_s, each from one forward-mode (Jacobian-vector product) pass,
 * pushed through the link and averaged. Its outputs follow the same Gaussian N(f, J P^-1 J^T) as the GLM predictive's,
 * but it never forms the C x C covariance: the cost per example is one forward pass plus S tangent passes, the same
 * for 10 or 1,000 outputs (see docs/predictive.md, section Linearised sampling).
 *
 * <p>The draws are made at construction, at the posterior's hyperparameters of that moment, and reused for every
 * batch (a fixed ensemble of S linearised networks), so results do not depend on how a set is cut into batches;
 * construct a new predictive after changing the posterior's hyperparameters or refitting.
 */
public final class LinearisedSamplingPredictive implements Predictive {
    private final LaplacePosterior posterior;
    private final INDArray steps;

    /**
     * Draws the weight deviations.
     *
     * @param posterior a fitted posterior
     * @param samples   weight draws S, >= 1
     * @param seed      seed of the draws (the draws of {@link LaplacePosterior#sampleWeightSteps} with this seed)
     * @throws IllegalArgumentException when samples is below 1
     * @throws IllegalStateException    when the posterior is not fitted
     */
    public LinearisedSamplingPredictive(LaplacePosterior posterior, int samples, long seed) {
        this.posterior = Objects.requireNonNull(posterior, "posterior");
        if (samples < 1) {
            throw new IllegalArgumentException("linearised sampling predictive needs >= 1 samples, got " + samples);
        }
        this.steps = posterior.sampleWeightSteps(samples, seed);
    }

    /**
     * Number of weight draws S.
     *
     * @return S, fixed at construction
     */
    public int samples() {
        return Math.toIntExact(steps.size(0));
    }

    /**
     * Linearised outputs f(x; theta*) + J(x) v_s at every draw, {@code S x N x C} float64.
     *
     * @param x network inputs of N examples
     * @return the linearised outputs at every draw
     * @throws IllegalStateException when the network's weights are no longer the posterior's MAP
     */
    public INDArray outputs(INDArray x) {
        return posterior.linearisedOutputs(x, steps);
    }

    /**
     * Class probabilities: the softmax of the linearised outputs averaged over the draws, {@code N x C} float64, rows
     * summing to 1.
     *
     * @param x network inputs
     * @return {@code N x C} float64
     * @throws IllegalStateException for a posterior that is not CLASSIFICATION
     */
    @Override
    public INDArray classify(INDArray x) {
        require(LikelihoodType.CLASSIFICATION);
        INDArray outputs = outputs(x);
        INDArray mean = null;
        for (long s = 0; s < outputs.size(0); s++) {
            INDArray p = LikelihoodType.softmax(outputs.get(NDArrayIndex.point(s)));
            mean = mean == null ? p : mean.addi(p);
        }
        return mean.divi(outputs.size(0));
    }

    /**
     * Sample mean and variance of the linearised outputs over the draws; the predictive variance adds sigma^2.
     *
     * @param x network inputs
     * @return mean, functional variance and predictive variance, each {@code N x C}
     * @throws IllegalStateException for a posterior that is not REGRESSION
     */
    @Override
    public GaussianPrediction regress(INDArray x) {
        require(LikelihoodType.REGRESSION);
        INDArray outputs = outputs(x);
        INDArray mean = outputs.mean(0);
        INDArray var = outputs.var(false, 0);
        return new GaussianPrediction(mean, var, var.add(posterior.sigma() * posterior.sigma()));
    }

    private void require(LikelihoodType type) {
        if (posterior.likelihood() != type) {
            throw new IllegalStateException("this method is for a " + type + " posterior, the posterior is "
                    + posterior.likelihood());
        }
    }
}
