package io.kronlaplace.curvature;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.WeightLayer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds Kronecker-factored curvature blocks for a network: a {@link KronBlock} for each weight (Linear or Conv2d)
 * and a {@link KronBiasBlock} for its bias, in the network's parameter order.
 *
 * <p>Parameters that are not weights or biases of a weight layer — BatchNorm scales and shifts, Fixup scalar biases
 * and multipliers — are EXCLUDED: K-FAC has no Kronecker structure for them. {@link #excludedParameters(Network)}
 * names them; give them diagonal blocks with {@link DiagonalGgn#blocks} when the posterior must cover them.
 */
public final class KronCurvature {
    private KronCurvature() {
    }

    /**
     * Eigendecomposes the factors (kernels of the configured device, see {@link KronDecomposition#ofAll(Map)}) and
     * returns the weight and bias blocks.
     *
     * @param network the network whose weight layers the blocks cover
     * @param factors factors keyed by layer path (from {@link KfacEstimator#factors()})
     * @return a weight block per weight layer, each followed by its bias block when the layer has a bias, in layer
     *         order
     * @throws IllegalArgumentException when a weight layer has no factors or factors of the wrong size
     */
    public static List<CurvatureBlock> blocks(Network network, Map<String, KronFactors> factors) {
        Map<String, KronDecomposition> decompositions = KronDecomposition.ofAll(factors);
        return build(network, decompositions::get, factors.keySet());
    }

    /**
     * The weight and bias blocks from existing decompositions, e.g. loaded from disk.
     *
     * @param network        the network whose weight layers the blocks cover
     * @param decompositions factor eigendecompositions keyed by layer path; entries for other paths are ignored
     * @return a weight block per weight layer, each followed by its bias block when the layer has a bias, in layer
     *         order
     * @throws IllegalArgumentException when a weight layer has no decomposition or one of the wrong size
     */
    public static List<CurvatureBlock> blocksFromDecompositions(Network network,
                                                                Map<String, KronDecomposition> decompositions) {
        return build(network, decompositions::get, decompositions.keySet());
    }

    /**
     * {@link #blocks} wrapped in a {@link BlockDiagonalOperator}.
     *
     * @param network the network whose weight layers the blocks cover
     * @param factors factors keyed by layer path (from {@link KfacEstimator#factors()})
     * @return the block-diagonal operator over the weights and biases of the weight layers, in layer order
     * @throws IllegalArgumentException when a weight layer has no factors or factors of the wrong size
     */
    public static BlockDiagonalOperator operator(Network network, Map<String, KronFactors> factors) {
        return new BlockDiagonalOperator(blocks(network, factors));
    }

    /**
     * The parameters K-FAC does not cover.
     *
     * @param network the network to inspect
     * @return dotted names of the parameters that are neither a weight nor a bias of a weight layer (normalisation
     *         and Fixup scalars), in network order; empty when every parameter is covered
     */
    public static List<String> excludedParameters(Network network) {
        Map<Parameter, Boolean> covered = new IdentityHashMap<>();
        for (WeightLayer layer : network.weightLayers()) {
            covered.put(layer.weight(), true);
            if (layer.bias() != null) {
                covered.put(layer.bias(), true);
            }
        }
        List<String> out = new ArrayList<>();
        network.parameters().forEach((name, p) -> {
            if (!covered.containsKey(p)) {
                out.add(name);
            }
        });
        return out;
    }

    private static List<CurvatureBlock> build(Network network, Function<String, KronDecomposition> source,
                                              java.util.Set<String> available) {
        Map<Parameter, String> names = new IdentityHashMap<>();
        network.parameters().forEach((name, p) -> names.put(p, name));
        List<CurvatureBlock> out = new ArrayList<>();
        for (WeightLayer layer : network.weightLayers()) {
            KronDecomposition d = source.apply(layer.path());
            if (d == null) {
                throw new IllegalArgumentException("no Kronecker factors for layer '" + layer.path()
                        + "'; factors are available for " + available);
            }
            if (d.inFeatures() != layer.inFeatures() || d.outFeatures() != layer.outFeatures()) {
                throw new IllegalArgumentException("factors of layer '" + layer.path() + "' are for a "
                        + d.outFeatures() + " x " + d.inFeatures() + " weight, the layer's weight is "
                        + layer.outFeatures() + " x " + layer.inFeatures());
            }
            out.add(new KronBlock(names.get(layer.weight()), d));
            if (layer.bias() != null) {
                out.add(new KronBiasBlock(names.get(layer.bias()), d));
            }
        }
        return out;
    }
}
