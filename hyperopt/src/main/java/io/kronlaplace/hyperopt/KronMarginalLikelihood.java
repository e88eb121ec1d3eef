package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.curvature.KronCurvature;
import io.kronlaplace.curvature.KronDecomposition;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.laplace.SpectralSums;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.WeightLayer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Kronecker-factored Laplace log marginal likelihood of a network at fixed weights, as a closed-form function of
 * the prior precisions (Immer et al. 2021; see docs/laplace.md, section Log marginal likelihood), for the hyper-steps
 * of online training:
 * <pre>
 * log p(D|M) = log p(D|theta) + sum_g [ -delta_g ||theta_g||^2 / 2 + P_g log(delta_g) / 2
 *                                        - log det(H_g + delta_g I) / 2 ]
 * </pre>
 * over the parameter groups g covered by K-FAC (weights with H = B (x) A, biases with H = B); the 2 pi terms cancel.
 * The factors are eigendecomposed once; the log-determinants and traces at new precisions come from the same
 * {@link SpectralSums} as {@code laplace.KronLaplace}'s, so a hyper-step costs well under a millisecond per layer.
 *
 * <p>It also gives the sensitivities of the log-determinant term to each layer's factors, {@code d logdet / dA} and
 * {@code d logdet / dB} (symmetric matrices), which the gradient w.r.t. augmentation parameters contracts with the
 * derivatives of the factors.
 */
public final class KronMarginalLikelihood {
    private final PriorGroups groups;
    private final double logLikelihood;
    private final SpectralSums[] spectra;
    private final double[] squaredNorms;
    private final long[] sizes;
    private final Map<String, KronDecomposition> decompositions;
    private final Map<String, int[]> layerGroups;

    private KronMarginalLikelihood(PriorGroups groups, double logLikelihood, SpectralSums[] spectra,
                                   double[] squaredNorms, long[] sizes, Map<String, KronDecomposition> decompositions,
                                   Map<String, int[]> layerGroups) {
        this.groups = groups;
        this.logLikelihood = logLikelihood;
        this.spectra = spectra;
        this.squaredNorms = squaredNorms;
        this.sizes = sizes;
        this.decompositions = decompositions;
        this.layerGroups = layerGroups;
    }

    /**
     * Eigendecomposes the factors at the current weights.
     *
     * @param network       the model at the weights the factors were computed at
     * @param factors       K-FAC factors of every weight layer, keyed by layer path
     * @param logLikelihood log p(D | theta) at these weights, summed over the training set (minus the summed loss)
     * @param groups        the prior groups of this network
     */
    public static KronMarginalLikelihood fit(Network network, Map<String, KronFactors> factors, double logLikelihood,
                                             PriorGroups groups) {
        if (!Double.isFinite(logLikelihood)) {
            throw new IllegalArgumentException("log-likelihood must be finite, got " + logLikelihood);
        }
        Map<String, KronDecomposition> decompositions = KronDecomposition.ofAll(factors);
        List<CurvatureBlock> blocks = KronCurvature.blocksFromDecompositions(network, decompositions);
        List<String> learned = groups.learnedParameters();
        if (blocks.size() != learned.size()) {
            throw new IllegalStateException("K-FAC has " + blocks.size() + " blocks but the prior has "
                    + learned.size() + " learned parameters");
        }
        double[] norms = new double[learned.size()];
        long[] sizes = new long[learned.size()];
        for (int i = 0; i < learned.size(); i++) {
            if (!blocks.get(i).name().equals(learned.get(i))) {
                throw new IllegalStateException("curvature block " + i + " is '" + blocks.get(i).name()
                        + "' but prior parameter " + i + " is '" + learned.get(i) + "'");
            }
            INDArray v = network.parameter(learned.get(i)).value();
            double n = v.castTo(DataType.DOUBLE).norm2Number().doubleValue();
            norms[i] = n * n;
            sizes[i] = v.length();
        }
        Map<Parameter, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < learned.size(); i++) {
            index.put(network.parameter(learned.get(i)), i);
        }
        Map<String, int[]> layerGroups = new LinkedHashMap<>();
        SpectralSums[] spectra = new SpectralSums[learned.size()];
        for (WeightLayer layer : network.weightLayers()) {
            int w = index.get(layer.weight());
            int b = layer.bias() == null ? -1 : index.get(layer.bias());
            layerGroups.put(layer.path(), new int[] {w, b});
            KronDecomposition d = decompositions.get(layer.path());
            double[] lb = d.lb().toDoubleVector();
            spectra[w] = new SpectralSums(lb, d.la().toDoubleVector());
            if (b >= 0) {
                spectra[b] = SpectralSums.of(lb);
            }
        }
        return new KronMarginalLikelihood(groups, logLikelihood, spectra, norms, sizes,
                Collections.unmodifiableMap(decompositions), layerGroups);
    }

    /** log p(D | theta) at the fitted weights. */
    public double logLikelihood() {
        return logLikelihood;
    }

    /** The eigendecompositions of the factors, keyed by layer path. */
    public Map<String, KronDecomposition> decompositions() {
        return decompositions;
    }

    /** Value and log-precision gradient at the given log prior precisions (one per group). */
    public MarglikValue evaluate(double[] logDelta) {
        if (logDelta.length != groups.size()) {
            throw new IllegalArgumentException("expected " + groups.size() + " log prior precisions, got "
                    + logDelta.length);
        }
        double value = logLikelihood;
        double[] grad = new double[logDelta.length];
        double[] sums = new double[2];
        for (int i = 0; i < spectra.length; i++) {
            int g = groups.groupOf(i);
            double delta = Math.exp(logDelta[g]);
            spectra[i].sums(1.0, delta, sums);
            value += -0.5 * delta * squaredNorms[i] + 0.5 * sizes[i] * logDelta[g] - 0.5 * sums[0];
            grad[g] += -0.5 * delta * squaredNorms[i] + 0.5 * sizes[i] - 0.5 * delta * sums[1];
        }
        return new MarglikValue(value, grad);
    }

    /**
     * d logdet / dA and d logdet / dB of one layer (in the factors' eigenbases), where logdet is the sum of the
     * log-determinants of the layer's weight block {@code B (x) A + delta_w I} and bias block {@code B + delta_b I}:
     * {@code dA = Q_A diag_j(sum_i lB_i / (lB_i lA_j + delta_w)) Q_A^T},
     * {@code dB = Q_B diag_i(sum_j lA_j / (lB_i lA_j + delta_w) + 1 / (lB_i + delta_b)) Q_B^T}, float64.
     *
     * @param logDelta current log prior precisions
     */
    public FactorSensitivity sensitivity(String layerPath, double[] logDelta) {
        KronDecomposition d = decompositions.get(layerPath);
        int[] g = layerGroups.get(layerPath);
        if (d == null || g == null) {
            throw new IllegalArgumentException("no factors for layer '" + layerPath + "'");
        }
        double deltaW = Math.exp(logDelta[groups.groupOf(g[0])]);
        double[] la = d.la().toDoubleVector();
        double[] lb = d.lb().toDoubleVector();
        double[] ga = new double[la.length];
        double[] gb = new double[lb.length];
        for (int i = 0; i < lb.length; i++) {
            for (int j = 0; j < la.length; j++) {
                double denom = lb[i] * la[j] + deltaW;
                ga[j] += lb[i] / denom;
                gb[i] += la[j] / denom;
            }
        }
        if (g[1] >= 0) {
            double deltaB = Math.exp(logDelta[groups.groupOf(g[1])]);
            for (int i = 0; i < lb.length; i++) {
                gb[i] += 1.0 / (lb[i] + deltaB);
            }
        }
        return new FactorSensitivity(d.qa(), ga, d.qb(), gb);
    }

    /** The layer paths with factors, in network order. */
    public List<String> layers() {
        return new ArrayList<>(layerGroups.keySet());
    }
}
