package io.kronlaplace.curvature;

import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.Collection;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The full GGN of the summed loss, sum_e J_e^T Lambda_e J_e = sum_{e,c} (J_e^T s_{e,c})(J_e^T s_{e,c})^T, over a
 * set of parameters, from explicit per-example vector-Jacobian products (one backward pass per example and
 * Hessian-root column s_{e,c}). With {@link CurvatureType#MC_FISHER} or {@link CurvatureType#EMPIRICAL_FISHER} the
 * same sum gives the MC or empirical Fisher. Memory and time grow with the square of the parameter count: for small
 * networks, last layers, or subsets.
 */
public final class DenseGgn {
    /** The largest parameter count {@link #matrix} accepts (a 16384^2 float64 matrix is 2 GiB). */
    public static final long MAX_PARAMETERS = Spectrum.MAX_DENSE_DIM;

    private DenseGgn() {
    }

    /**
     * The curvature matrix over the selected parameters.
     *
     * @param network        the network at its current parameters, run in evaluation mode; its gradients serve as
     *                       scratch and are left zeroed
     * @param likelihood     the likelihood whose Hessian root (or sampled or empirical gradient) the curvature type uses
     * @param inputs         network inputs (N rows, a multiple of {@code options.sharedRowsPerExample()})
     * @param targets        targets of the examples (only for the empirical Fisher; may be null otherwise)
     * @param options        curvature type, samples, shared rows and seed (the flavour is not used)
     * @param parameterNames dotted parameter names; null or empty for all parameters
     * @return the P x P float64 matrix over the selected parameters concatenated in network order
     * @throws IllegalArgumentException when a name is not a parameter of the network, the selection has more than
     *                                  {@link #MAX_PARAMETERS} parameters, or the inputs' or targets' row counts do
     *                                  not fit
     */
    public static INDArray matrix(Network network, Likelihood likelihood, INDArray inputs, INDArray targets,
                                  KfacOptions options, Collection<String> parameterNames) {
        Map<String, Parameter> ps = PerExampleGradients.select(network, parameterNames);
        long dim = ps.values().stream().mapToLong(Parameter::size).sum();
        if (dim > MAX_PARAMETERS) {
            throw new IllegalArgumentException("dense GGN over " + dim + " parameters exceeds the limit of "
                    + MAX_PARAMETERS + "; select a subset");
        }
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, dim, dim);
        PerExampleGradients.forEach(network, likelihood, inputs, targets, options, ps,
                m -> sum.addi(m.transpose().mmul(m)));
        return sum;
    }

    /**
     * {@link #matrix} as one {@link DenseBlock}.
     *
     * @param network        the network at its current parameters, run in evaluation mode; its gradients serve as
     *                       scratch and are left zeroed
     * @param likelihood     the likelihood whose Hessian root (or sampled or empirical gradient) the curvature type uses
     * @param inputs         network inputs (N rows, a multiple of {@code options.sharedRowsPerExample()})
     * @param targets        targets of the examples (only for the empirical Fisher; may be null otherwise)
     * @param options        curvature type, samples, shared rows and seed (the flavour is not used)
     * @param parameterNames dotted parameter names; null or empty for all parameters
     * @return a dense block over the selected parameters, named by their names in network order joined with ','
     * @throws IllegalArgumentException as {@link #matrix} does
     */
    public static DenseBlock block(Network network, Likelihood likelihood, INDArray inputs, INDArray targets,
                                   KfacOptions options, Collection<String> parameterNames) {
        Map<String, Parameter> ps = PerExampleGradients.select(network, parameterNames);
        return new DenseBlock(String.join(",", ps.keySet()),
                matrix(network, likelihood, inputs, targets, options, ps.keySet()));
    }
}
