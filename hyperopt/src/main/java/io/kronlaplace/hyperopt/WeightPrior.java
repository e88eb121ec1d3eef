package io.kronlaplace.hyperopt;

import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * The prior's share of the training objective {@code mean loss + (1/(2N)) sum delta o theta^2} over every parameter
 * of a network. Parameters in the posterior's groups (Linear and Conv2d weights and biases) take their group's
 * learned precision; the others (Fixup scalars, normalisation scales), which the Kronecker-factored curvature does
 * not cover, keep a fixed precision: with no curvature their marginal-likelihood term would drive a learned one to 0.
 */
final class WeightPrior {
    private final List<Parameter> parameters = new ArrayList<>();
    private final int[] groupOf;
    private final double fixedPrecision;

    /**
     * @param network        the model
     * @param groupNames     the posterior's parameter groups, in order (names of network parameters)
     * @param fixedPrecision precision of the parameters outside the groups, finite and > 0
     */
    WeightPrior(Network network, List<String> groupNames, double fixedPrecision) {
        if (!(fixedPrecision > 0) || Double.isInfinite(fixedPrecision)) {
            throw new IllegalArgumentException("prior precision must be finite and > 0, got " + fixedPrecision);
        }
        network.parameters().values().forEach(parameters::add);
        this.groupOf = new int[parameters.size()];
        List<String> names = new ArrayList<>(network.parameters().keySet());
        for (int i = 0; i < groupOf.length; i++) {
            groupOf[i] = groupNames.indexOf(names.get(i));
        }
        for (String group : groupNames) {
            if (!names.contains(group)) {
                throw new IllegalArgumentException("prior group '" + group + "' is not a parameter of the network");
            }
        }
        this.fixedPrecision = fixedPrecision;
    }

    /**
     * Adds the gradient of {@code (1/(2N)) sum delta theta^2} to every parameter's accumulated gradient:
     * {@code grad += delta / N * theta}.
     *
     * @param prior    the groups' precisions (SCALAR or PER_GROUP)
     * @param examples N, the training-set size
     */
    void addGradient(PriorPrecision prior, long examples) {
        for (int i = 0; i < groupOf.length; i++) {
            double delta = groupOf[i] >= 0 ? prior.groupValue(groupOf[i]) : fixedPrecision;
            Parameter p = parameters.get(i);
            p.grad().addi(p.value().mul(delta / examples));
        }
    }
}
