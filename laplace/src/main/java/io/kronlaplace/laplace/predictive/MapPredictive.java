package io.kronlaplace.laplace.predictive;

import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.SharedRows;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The point-estimate (MAP) predictive of a network at its current weights: the softmax of the outputs for
 * classification, their sigmoid for multi-label outputs, and N(f(x), sigma^2) for regression (no functional
 * variance). With S rows per example it predicts the invariant model whose output is the mean of the network's
 * outputs over each example's S augmented copies.
 */
public final class MapPredictive implements Predictive {
    private final Network network;
    private final double sigma;
    private final int rowsPerExample;

    /**
     * The predictive of the network, one input row per example, with observation noise 1.
     *
     * @param network the trained network (evaluated in {@link Mode#EVAL})
     */
    public MapPredictive(Network network) {
        this(network, 1.0, 1);
    }

    /**
     * The predictive of a network or of its invariant model.
     *
     * @param network        the trained network (evaluated in {@link Mode#EVAL})
     * @param sigma          observation noise standard deviation of regression outputs (finite, positive)
     * @param rowsPerExample S, input rows per example whose outputs are averaged, at least 1
     * @throws IllegalArgumentException when sigma is not finite and positive or S is below 1
     */
    public MapPredictive(Network network, double sigma, int rowsPerExample) {
        this.network = Objects.requireNonNull(network, "network");
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("observation noise sigma must be finite and positive, got " + sigma);
        }
        if (rowsPerExample < 1) {
            throw new IllegalArgumentException("rows per example must be >= 1, got " + rowsPerExample);
        }
        this.sigma = sigma;
        this.rowsPerExample = rowsPerExample;
    }

    /**
     * The network's outputs averaged over each example's rows.
     *
     * @param x network inputs, {@code N*S} rows
     * @return {@code N x C} float64
     * @throws IllegalArgumentException when the rows of x are not a positive multiple of S
     */
    public INDArray outputs(INDArray x) {
        return SharedRows.average(network.forward(x, Mode.EVAL), rowsPerExample).castTo(DataType.DOUBLE);
    }

    /**
     * The softmax of the (averaged) outputs.
     *
     * @param x network inputs, {@code N*S} rows
     * @return {@code N x C} float64, rows summing to 1
     */
    @Override
    public INDArray classify(INDArray x) {
        return LikelihoodType.softmax(outputs(x));
    }

    /**
     * The sigmoid of each (averaged) output: per-label probabilities of a multi-label model.
     *
     * @param x network inputs, {@code N*S} rows
     * @return {@code N x C} float64
     */
    public INDArray multiLabel(INDArray x) {
        return Transforms.sigmoid(outputs(x), false);
    }

    /**
     * N(f(x), sigma^2): the (averaged) outputs as the mean, zero functional variance.
     *
     * @param x network inputs, {@code N*S} rows
     * @return the Gaussian predictive, each part {@code N x C}
     */
    @Override
    public GaussianPrediction regress(INDArray x) {
        INDArray mean = outputs(x);
        return new GaussianPrediction(mean, Nd4j.zeros(DataType.DOUBLE, mean.shape()),
                Nd4j.valueArrayOf(mean.shape(), sigma * sigma, DataType.DOUBLE));
    }
}
