package io.kronlaplace.curvature;

import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Diagonal of the GGN (or Fisher) of the summed loss, sum_{e,c} (J_e^T s_{e,c})^2 elementwise: exact with
 * {@link CurvatureType#GGN} (Hessian-root columns), Monte-Carlo with {@link CurvatureType#MC_FISHER}, empirical with
 * {@link CurvatureType#EMPIRICAL_FISHER}. It covers every parameter type, so it also provides the blocks for the
 * BatchNorm and Fixup scalars that {@link KronCurvature} excludes. One backward pass per example and vector: meant
 * for small networks, parameter subsets, or a subsample of the data. The diagonal Laplace posterior computes the same
 * diagonal for weight layers from one batched pass instead (see docs/laplace.md, section Posteriors, for why both
 * exist).
 */
public final class DiagonalGgn {
    private DiagonalGgn() {
    }

    /**
     * The curvature's diagonal for each selected parameter.
     *
     * @param network        the network at its current parameters, run in evaluation mode; its gradients serve as
     *                       scratch and are left zeroed
     * @param likelihood     the likelihood whose Hessian root (or sampled or empirical gradient) the curvature type uses
     * @param inputs         network inputs (N rows, a multiple of {@code options.sharedRowsPerExample()})
     * @param targets        targets of the examples (needed only for the empirical Fisher; may be null otherwise)
     * @param options        curvature type, samples, shared rows and seed (the flavour is not used)
     * @param parameterNames dotted parameter names; null or empty for all parameters
     * @return float64 diagonals (flat, the parameter's size) keyed by parameter name, in network order
     * @throws IllegalArgumentException when a name is not a parameter of the network or the inputs' or targets' row
     *                                  counts do not fit
     */
    public static Map<String, INDArray> diagonals(Network network, Likelihood likelihood, INDArray inputs,
                                                  INDArray targets, KfacOptions options,
                                                  Collection<String> parameterNames) {
        Map<String, Parameter> ps = PerExampleGradients.select(network, parameterNames);
        long dim = ps.values().stream().mapToLong(Parameter::size).sum();
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, dim);
        PerExampleGradients.forEach(network, likelihood, inputs, targets, options, ps,
                m -> sum.addi(m.mul(m).sum(0)));
        Map<String, INDArray> out = new LinkedHashMap<>();
        long offset = 0;
        for (var entry : ps.entrySet()) {
            long size = entry.getValue().size();
            out.put(entry.getKey(), sum.get(NDArrayIndex.interval(offset, offset + size)).dup());
            offset += size;
        }
        return out;
    }

    /**
     * {@link #diagonals} as curvature blocks.
     *
     * @param network        the network at its current parameters, run in evaluation mode; its gradients serve as
     *                       scratch and are left zeroed
     * @param likelihood     the likelihood whose Hessian root (or sampled or empirical gradient) the curvature type uses
     * @param inputs         network inputs (N rows, a multiple of {@code options.sharedRowsPerExample()})
     * @param targets        targets of the examples (needed only for the empirical Fisher; may be null otherwise)
     * @param options        curvature type, samples, shared rows and seed (the flavour is not used)
     * @param parameterNames dotted parameter names; null or empty for all parameters
     * @return one {@link DiagonalBlock} per selected parameter, named by it, in network order
     * @throws IllegalArgumentException as {@link #diagonals} does
     */
    public static List<CurvatureBlock> blocks(Network network, Likelihood likelihood, INDArray inputs,
                                              INDArray targets, KfacOptions options,
                                              Collection<String> parameterNames) {
        List<CurvatureBlock> out = new ArrayList<>();
        diagonals(network, likelihood, inputs, targets, options, parameterNames)
                .forEach((name, d) -> out.add(new DiagonalBlock(name, d)));
        return out;
    }
}
