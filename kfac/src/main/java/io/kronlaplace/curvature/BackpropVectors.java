package io.kronlaplace.curvature;

import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The vectors a curvature pass back-propagates from the network outputs: {@code copies * N} rows, copy-major.
 *
 * @param vectors output-space vectors, row {@code c * N + n} is copy c of batch row n
 * @param copies  vectors per batch row
 */
record BackpropVectors(INDArray vectors, int copies) {

    /**
     * Computes the vectors for a batch of network outputs. With S = {@code sharedRowsPerExample} > 1 the likelihood
     * sees the mean output of each group of S rows (targets have N / S rows), and each row of a group receives the
     * group's vector divided by S: the derivative of the mean.
     *
     * @param outputs network outputs, N x C
     * @param targets targets for the N / S examples (read by the empirical Fisher, and by likelihoods whose curvature
     *                depends on which targets are observed; may be null otherwise)
     */
    static BackpropVectors compute(Likelihood likelihood, INDArray outputs, INDArray targets, KfacOptions options,
                                   SplittableRandom random) {
        if (outputs.rank() != 2) {
            throw new IllegalArgumentException("the curvature engine needs network outputs of shape N x C, got "
                    + Arrays.toString(outputs.shape()));
        }
        int shared = options.sharedRowsPerExample();
        long rows = outputs.size(0);
        long classes = outputs.size(1);
        if (rows % shared != 0) {
            throw new IllegalArgumentException("batch of " + rows + " rows is not a multiple of sharedRowsPerExample="
                    + shared);
        }
        long examples = rows / shared;
        INDArray f = shared == 1 ? outputs : outputs.reshape(examples, shared, classes).mean(1);
        INDArray v;
        int copies;
        switch (options.curvatureType()) {
            case GGN -> {
                copies = likelihood.hessianSqrtColumns(classes);
                v = likelihood.hessianSqrt(f, targets);
            }
            case MC_FISHER -> {
                copies = options.mcSamples();
                v = likelihood.sampledGradients(f, targets, copies, random);
            }
            case EMPIRICAL_FISHER -> {
                if (targets == null) {
                    throw new IllegalArgumentException("the empirical Fisher needs targets");
                }
                copies = 1;
                v = likelihood.gradient(f, targets, Reduction.SUM);
            }
            default -> throw new IllegalStateException("unknown curvature type " + options.curvatureType());
        }
        if (v.rank() != 2 || v.size(0) != copies * examples || v.size(1) != classes) {
            throw new IllegalStateException("likelihood returned back-propagated vectors of shape "
                    + Arrays.toString(v.shape()) + ", expected [" + copies * examples + ", " + classes + "]");
        }
        if (shared > 1) {
            v = Nd4j.tile(v.reshape(copies * examples, 1, classes), 1, shared, 1).divi(shared)
                    .reshape(copies * rows, classes);
        }
        return new BackpropVectors(v, copies);
    }
}
