package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.KronCurvature;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Gaussian prior N(0, diag(delta)^-1) on a network's weights during online marginal-likelihood training, kept as
 * learnable log precisions.
 *
 * <p>Parameters covered by the Kronecker-factored curvature (weights and biases of Linear and Conv2d layers) belong
 * to a learnable group: one group for all of them ({@link PriorStructure#SCALAR}) or one per parameter tensor
 * ({@link PriorStructure#LAYERWISE}). Parameters K-FAC does not cover (Fixup scalars, normalisation scales) keep the
 * initial precision: with no curvature their marginal-likelihood term is {@code -delta ||theta||^2 / 2}, which a
 * learned delta would drive to zero.
 */
public final class PriorGroups {
    private final List<String> learnedNames;
    private final int[] groupOfLearned;
    private final List<String> fixedNames;
    private final double fixedPrecision;
    private final double[] logDelta;
    private final Map<String, Parameter> parameters;

    /**
     * @param network          the model
     * @param structure        scalar or layer-wise
     * @param initialPrecision delta at the start, finite and > 0 (also the fixed precision of uncovered parameters)
     */
    public PriorGroups(Network network, PriorStructure structure, double initialPrecision) {
        if (!(initialPrecision > 0) || !Double.isFinite(initialPrecision)) {
            throw new IllegalArgumentException("prior precision must be finite and > 0, got " + initialPrecision);
        }
        this.parameters = network.parameters();
        Set<String> excluded = new HashSet<>(KronCurvature.excludedParameters(network));
        List<String> learned = new ArrayList<>();
        List<String> fixed = new ArrayList<>();
        parameters.keySet().forEach(name -> (excluded.contains(name) ? fixed : learned).add(name));
        if (learned.isEmpty()) {
            throw new IllegalArgumentException("the network has no Linear or Conv2d parameters to put a prior on");
        }
        this.learnedNames = Collections.unmodifiableList(learned);
        this.fixedNames = Collections.unmodifiableList(fixed);
        this.groupOfLearned = new int[learned.size()];
        for (int i = 0; i < groupOfLearned.length; i++) {
            groupOfLearned[i] = structure == PriorStructure.SCALAR ? 0 : i;
        }
        this.logDelta = new double[structure == PriorStructure.SCALAR ? 1 : learned.size()];
        Arrays.fill(logDelta, Math.log(initialPrecision));
        this.fixedPrecision = initialPrecision;
    }

    /** Number of learned precisions. */
    public int size() {
        return logDelta.length;
    }

    /** The learned log precisions (a copy), one per group. */
    public double[] logPrecisions() {
        return logDelta.clone();
    }

    /** The learned precisions (a copy), one per group. */
    public double[] precisions() {
        return Arrays.stream(logDelta).map(Math::exp).toArray();
    }

    /** Sets the learned log precisions; each must be finite. */
    public void setLogPrecisions(double[] values) {
        if (values.length != logDelta.length) {
            throw new IllegalArgumentException("expected " + logDelta.length + " log prior precisions, got "
                    + values.length);
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("log prior precision must be finite, got " + Arrays.toString(values));
            }
        }
        System.arraycopy(values, 0, logDelta, 0, values.length);
    }

    /** Names of the parameters with a learned precision, in network order. */
    public List<String> learnedParameters() {
        return learnedNames;
    }

    /** Names of the parameters regularised with the fixed initial precision. */
    public List<String> fixedParameters() {
        return fixedNames;
    }

    /** The group of the i-th learned parameter. */
    public int groupOf(int learnedIndex) {
        return groupOfLearned[learnedIndex];
    }

    /** Display names of the groups: "all" for a scalar prior, else the parameter names. */
    public List<String> groupNames() {
        return logDelta.length == 1 && learnedNames.size() > 1 ? List.of("all") : learnedNames;
    }

    /** The precision applied to each parameter, keyed by name (learned ones current, fixed ones initial). */
    public Map<String, Double> precisionByParameter() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : parameters.keySet()) {
            int i = learnedNames.indexOf(name);
            out.put(name, i >= 0 ? Math.exp(logDelta[groupOfLearned[i]]) : fixedPrecision);
        }
        return out;
    }

    /**
     * Adds the gradient of the per-example prior term {@code (1/(2N)) sum delta theta^2} to every parameter's
     * accumulated gradient: {@code grad += delta / N * theta}.
     *
     * @param examples N, the training-set size
     */
    public void addPriorGradient(long examples) {
        for (Map.Entry<String, Double> e : precisionByParameter().entrySet()) {
            Parameter p = parameters.get(e.getKey());
            p.grad().addi(p.value().mul(e.getValue() / examples));
        }
    }

    /** {@code (1/2) sum delta theta^2} over all parameters (nats). */
    public double priorEnergy() {
        double sum = 0;
        for (Map.Entry<String, Double> e : precisionByParameter().entrySet()) {
            INDArray v = parameters.get(e.getKey()).value();
            double sq = v.norm2Number().doubleValue();
            sum += 0.5 * e.getValue() * sq * sq;
        }
        return sum;
    }
}
