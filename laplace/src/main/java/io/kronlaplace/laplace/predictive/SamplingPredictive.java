package io.kronlaplace.laplace.predictive;

import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The neural-network sampling predictive: weights theta ~ N(theta*, P^-1) are drawn from the posterior, the network is
 * evaluated at each draw (not linearised) and the outputs are averaged. The MAP weights are restored afterwards.
 */
public final class SamplingPredictive {
    private final LaplacePosterior posterior;

    /** @param posterior a posterior (fitted before predicting) */
    public SamplingPredictive(LaplacePosterior posterior) {
        this.posterior = Objects.requireNonNull(posterior, "posterior");
    }

    /**
     * Average softmax over {@code samples} weight draws, {@code N x C} float64.
     *
     * @param x       network inputs of N examples
     * @param samples number S of posterior weight draws, >= 1
     * @param seed    seed of the draws (those of {@link LaplacePosterior#sampleWeights} with this seed)
     * @return the class probabilities, rows summing to 1
     * @throws IllegalArgumentException when samples is below 1
     * @throws IllegalStateException    for a regression posterior or before fit
     */
    public INDArray classify(INDArray x, int samples, long seed) {
        if (posterior.likelihood() != LikelihoodType.CLASSIFICATION) {
            throw new IllegalStateException("classify needs a CLASSIFICATION posterior, got "
                    + posterior.likelihood());
        }
        INDArray outputs = outputs(x, samples, seed);
        INDArray mean = null;
        for (int s = 0; s < samples; s++) {
            INDArray p = LikelihoodType.softmax(outputs.get(NDArrayIndex.point(s)));
            mean = mean == null ? p : mean.addi(p);
        }
        return mean.divi(samples);
    }

    /**
     * Sample mean and variance of the outputs (plus sigma^2 for the predictive variance).
     *
     * @param x       network inputs of N examples
     * @param samples number S of posterior weight draws, >= 1
     * @param seed    seed of the draws (those of {@link LaplacePosterior#sampleWeights} with this seed)
     * @return per output the sample mean, the sample variance of f and that variance plus sigma^2, each {@code N x C}
     * @throws IllegalArgumentException when samples is below 1
     * @throws IllegalStateException    for a classification posterior or before fit
     */
    public GaussianPrediction regress(INDArray x, int samples, long seed) {
        if (posterior.likelihood() != LikelihoodType.REGRESSION) {
            throw new IllegalStateException("regress needs a REGRESSION posterior, got " + posterior.likelihood());
        }
        INDArray outputs = outputs(x, samples, seed);
        INDArray mean = outputs.mean(0);
        INDArray var = outputs.var(false, 0);
        return new GaussianPrediction(mean, var, var.add(posterior.sigma() * posterior.sigma()));
    }

    /**
     * Raw outputs at {@code samples} posterior weight draws, {@code S x N x C}.
     *
     * @param x       network inputs of N examples
     * @param samples number S of posterior weight draws, >= 1
     * @param seed    seed of the draws (those of {@link LaplacePosterior#sampleWeights} with this seed)
     * @return the network outputs at each draw, float64
     * @throws IllegalArgumentException when samples is below 1
     * @throws IllegalStateException    before fit
     */
    public INDArray outputs(INDArray x, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("sampling predictive needs >= 1 samples, got " + samples);
        }
        return posterior.outputsAtWeights(posterior.sampleWeights(samples, seed), x).castTo(DataType.DOUBLE);
    }
}
