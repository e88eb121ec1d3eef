package io.kronlaplace.hyperopt.augment;

import java.util.Objects;
import io.kronlaplace.laplace.SharedRows;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The invariant model {@code f_eta(x_n) = 1/S sum_s f(T_{n,s} x_n)} of Immer, van der Ouderaa et al. (2022): a
 * {@link Network} run on an augmented batch of {@code N*S} rows (the S samples of example n consecutive, as produced
 * by {@link AffineAugmentation#apply}) whose {@code N*S x C} outputs are averaged over each example's S rows.
 *
 * <p>Backward: the averaged output is linear in the S per-sample outputs, so a vector {@code b_n} back-propagated
 * to the averaged output reaches each of the S rows as {@code b_n / S}. For the exact GGN of the averaged model,
 * {@code J_n = (1/S) sum_s J_{n,s}} and {@code J_n^T Lambda_n J_n = sum_c (J_n^T S_n[:,c]) (J_n^T S_n[:,c])^T} with
 * {@code J_n^T S_n[:,c] = sum_s J_{n,s}^T (S_n[:,c] / S)}: each column of the loss-Hessian square root at the
 * averaged output goes to the S rows divided by S, and the curvature engine sums the S rows of an example
 * (its weight-sharing axis, {@code sharedRowsPerExample = S}) before forming outer products. {@link #spread} does
 * this for k vectors per example in the copy-major layout of {@link BackwardContext}: input row {@code c*N + n}
 * becomes rows {@code c*N*S + n*S + s}.
 */
public final class InvariantModel {
    private final Network network;
    private final int samples;

    /**
     * An invariant model over a network.
     *
     * @param network the per-sample model; its output for an {@code N*S}-row batch must be {@code N*S x C}
     * @param samples S, augmented copies per example
     */
    public InvariantModel(Network network, int samples) {
        this.network = Objects.requireNonNull(network, "network");
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        this.samples = samples;
    }

    /**
     * The network run on every augmented row.
     *
     * @return the per-sample network, not copied
     */
    public Network network() {
        return network;
    }

    /**
     * The number of augmented copies averaged per example.
     *
     * @return S, &gt;= 1
     */
    public int samples() {
        return samples;
    }

    /**
     * Runs the network on the augmented batch and averages each example's S rows.
     *
     * @param augmented {@code [N*S, ...]}, samples of example n at rows {@code n*S .. n*S + S - 1}
     * @param mode      training or evaluation mode of the network (e.g. batch statistics of BatchNorm)
     * @return {@code N x C} averaged outputs
     * @throws IllegalArgumentException when the rows are not a multiple of S
     */
    public INDArray forward(INDArray augmented, Mode mode) {
        requireRowsMultiple(augmented, "augmented batch");
        return average(network.forward(augmented, mode), samples);
    }

    /**
     * Back-propagates vectors at the averaged output through the network.
     *
     * @param gradMean {@code k*N x C}, k = {@code context.copies()}, copy-major (row {@code c*N + n}); for k = 1 the
     *                 gradient of the loss w.r.t. the averaged output, for the exact GGN the loss-Hessian square
     *                 root columns of {@code Likelihood.hessianSqrt}
     * @param context  the backward pass's options: whether parameter gradients accumulate, k = {@code copies()}
     *                 vectors per example, and the optional tap that sees every weight layer's input and output
     *                 gradient
     * @return the gradient w.r.t. the augmented batch, {@code k*N*S} rows, copy-major over the N*S augmented rows
     *         (feed it to {@link AffineAugmentation#vjp} when k = 1)
     */
    public INDArray backward(INDArray gradMean, BackwardContext context) {
        return network.backward(spread(gradMean, samples, context.copies()), context);
    }

    /**
     * Averages each example's S consecutive rows.
     *
     * @param outputs {@code N*S x C}
     * @param samples S, rows per example, &gt;= 1
     * @return {@code N x C}
     */
    public static INDArray average(INDArray outputs, int samples) {
        return SharedRows.average(outputs, samples);
    }

    /**
     * The adjoint of {@link #average} for k back-propagated vectors per example: each row divided by S and repeated
     * for the S samples.
     *
     * @param gradMean {@code k*N x C}, copy-major (row {@code c*N + n})
     * @param samples  S
     * @param copies   k
     * @return {@code k*N*S x C}, row {@code c*N*S + n*S + s} = {@code gradMean[c*N + n] / S}
     * @see SharedRows#spread
     */
    public static INDArray spread(INDArray gradMean, int samples, int copies) {
        return SharedRows.spread(gradMean, samples, copies);
    }

    private void requireRowsMultiple(INDArray x, String what) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(what + " must have a batch dimension");
        }
        requireDivisible(x.size(0), samples, what);
    }

    private static void requireDivisible(long rows, int samples, String what) {
        if (samples < 1 || rows % samples != 0 || rows == 0) {
            throw new IllegalArgumentException(what + " has " + rows + " rows, which is not a positive multiple of "
                    + samples + " samples per example");
        }
    }
}
