package io.kronlaplace.laplace;

import io.kronlaplace.nn.Network;

/**
 * Factory of Laplace posteriors over (subset of weights, Hessian structure):
 * <table>
 *   <caption>supported combinations</caption>
 *   <tr><th></th><th>KRON</th><th>DIAG</th><th>FULL</th></tr>
 *   <tr><td>ALL</td><td>{@link KronLaplace}</td><td>{@link DiagLaplace}</td>
 *       <td>{@link FullLaplace} (at most {@value FullLaplace#MAX_PARAMETERS} parameters)</td></tr>
 *   <tr><td>LAST_LAYER</td><td>{@link KronLaplace}</td><td>{@link DiagLaplace}</td>
 *       <td>{@link FullLaplace} (closed form, at most {@value FullLaplace#MAX_LAST_LAYER_PARAMETERS} parameters)</td>
 *   </tr>
 *   <tr><td>SUBNETWORK</td><td>-</td><td>-</td>
 *       <td>{@link FullLaplace} (at most {@value FullLaplace#MAX_PARAMETERS} chosen parameters)</td></tr>
 * </table>
 * Every combination of ALL or LAST_LAYER exists; SUBNETWORK (the parameters of a {@link Subnetwork}, chosen by
 * marginal variance, magnitude or index) takes FULL only, which {@link LaplaceOptions} checks. FULL over more than
 * {@value FullLaplace#MAX_PARAMETERS} parameters of the ALL or SUBNETWORK subset or
 * {@value FullLaplace#MAX_LAST_LAYER_PARAMETERS} of the LAST_LAYER subset, a subnetwork index beyond the network's
 * parameters, and LAST_LAYER on a network that does not end in a Linear layer fail at construction, naming what is
 * supported.
 */
public final class Laplace {
    private Laplace() {
    }

    /**
     * Creates an unfitted posterior.
     *
     * @param network the network whose weights the posterior covers, at its MAP weights when it is fitted
     * @param options the subset, structure, likelihood and initial hyperparameters
     * @return an unfitted posterior of the options' structure
     * @throws IllegalArgumentException for unsupported combinations or options that do not fit the network
     */
    public static LaplacePosterior create(Network network, LaplaceOptions options) {
        java.util.Objects.requireNonNull(network, "network");
        java.util.Objects.requireNonNull(options, "options");
        return switch (options.structure()) {
            case KRON -> new KronLaplace(network, options);
            case DIAG -> new DiagLaplace(network, options);
            case FULL -> new FullLaplace(network, options);
        };
    }
}
