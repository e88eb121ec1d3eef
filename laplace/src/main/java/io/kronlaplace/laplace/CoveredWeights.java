package io.kronlaplace.laplace;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.GradientTap;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.TangentTap;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.WeightTangent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The weights a posterior covers and the network its Jacobians are taken through.
 *
 * <p>For {@link SubsetOfWeights#ALL} that is the user's network. For {@link SubsetOfWeights#LAST_LAYER} it is a
 * one-layer network sharing the final Linear layer's weight arrays, fed with the features phi(x) of the frozen body:
 * its backward pass with unit vectors at the output is the closed-form Jacobian J = phi(x)^T (x) I_C (no backward
 * pass through the body).
 */
final class CoveredWeights {
    private final SubsetOfWeights subset;
    private final Network network;
    private final Network curvatureNetwork;
    private final Linear lastLayer;
    private final List<ParameterGroup> groups;
    private final long dim;

    /** For each group, the chosen entries of its parameter (row-major), or null when the group is the whole tensor. */
    private final List<int[]> entries;

    private CoveredWeights(SubsetOfWeights subset, Network network, Network curvatureNetwork, Linear lastLayer,
                           List<String> names, Subnetwork subnetwork) {
        this.subset = subset;
        this.network = network;
        this.curvatureNetwork = curvatureNetwork;
        this.lastLayer = lastLayer;
        int[] chosen = subnetwork == null ? null : subnetwork.indices();
        List<ParameterGroup> gs = new ArrayList<>();
        List<int[]> es = new ArrayList<>();
        long offset = 0;
        long tensorOffset = 0;
        int nameIndex = 0;
        for (WeightLayer layer : curvatureNetwork.weightLayers()) {
            for (Parameter p : layer.bias() == null ? List.of(layer.weight())
                    : List.of(layer.weight(), layer.bias())) {
                String name = names.get(nameIndex++);
                int[] local = chosen == null ? null : entriesWithin(chosen, tensorOffset, p.size());
                tensorOffset += p.size();
                long size = local == null ? p.size() : local.length;
                if (size > 0) {
                    gs.add(new ParameterGroup(name, layer, p == layer.bias(), p, offset, size));
                    es.add(local);
                    offset += size;
                }
            }
        }
        if (chosen != null && chosen[chosen.length - 1] >= tensorOffset) {
            throw new IllegalArgumentException("subnetwork parameter index " + chosen[chosen.length - 1]
                    + " is out of range: the network's weight layers have " + tensorOffset + " parameters");
        }
        if (gs.isEmpty()) {
            throw new IllegalArgumentException("the network has no weight layers (Linear, Conv2d) to cover");
        }
        this.groups = Collections.unmodifiableList(gs);
        this.entries = Collections.unmodifiableList(es);
        this.dim = offset;
    }

    /** The ascending indices of {@code chosen} in [start, start + size), relative to start. */
    private static int[] entriesWithin(int[] chosen, long start, long size) {
        return java.util.Arrays.stream(chosen).filter(i -> i >= start && i < start + size)
                .map(i -> Math.toIntExact(i - start)).toArray();
    }

    /** Every weight layer of the network. */
    static CoveredWeights all(Network network) {
        return new CoveredWeights(SubsetOfWeights.ALL, network, network, null, allNames(network), null);
    }

    /**
     * The chosen parameters of the network's weight layers; groups are the weights and biases with at least one
     * chosen entry.
     *
     * @throws IllegalArgumentException when an index is beyond the network's parameters
     */
    static CoveredWeights subnetwork(Network network, Subnetwork subnetwork) {
        return new CoveredWeights(SubsetOfWeights.SUBNETWORK, network, network, null, allNames(network),
                java.util.Objects.requireNonNull(subnetwork, "subnetwork"));
    }

    private static List<String> allNames(Network network) {
        List<String> names = new ArrayList<>();
        for (WeightLayer layer : network.weightLayers()) {
            names.add(dotted(layer.path(), "weight"));
            if (layer.bias() != null) {
                names.add(dotted(layer.path(), "bias"));
            }
        }
        return names;
    }

    /**
     * The final Linear layer of a network whose root is a {@link Sequential} (possibly nested) ending in it.
     *
     * @throws IllegalArgumentException when the network does not end in a Linear layer
     */
    static CoveredWeights lastLayer(Network network) {
        Linear linear = network.finalLinear().orElseThrow(() -> new IllegalArgumentException("LAST_LAYER needs a "
                + "network whose root is a Sequential ending in a Linear layer, but it ends in "
                + network.finalModule().getClass().getSimpleName()));
        Linear surrogate = new Linear(linear.inFeatures(), linear.outFeatures(), linear.bias() != null,
                new Init(0, linear.weight().value().dataType(), Init.Scheme.ZERO));
        surrogate.weight().setValue(linear.weight().value());
        List<String> names = new ArrayList<>();
        names.add(dotted(linear.path(), "weight"));
        if (linear.bias() != null) {
            surrogate.bias().setValue(linear.bias().value());
            names.add(dotted(linear.path(), "bias"));
        }
        return new CoveredWeights(SubsetOfWeights.LAST_LAYER, network, new Network(surrogate), linear, names, null);
    }

    private static String dotted(String path, String local) {
        return path.isEmpty() ? local : path + "." + local;
    }

    SubsetOfWeights subset() {
        return subset;
    }

    Network network() {
        return network;
    }

    /** The network the curvature and Jacobians are computed on (the surrogate last layer for LAST_LAYER). */
    Network curvatureNetwork() {
        return curvatureNetwork;
    }

    List<ParameterGroup> groups() {
        return groups;
    }

    long dim() {
        return dim;
    }

    /** Inputs of the curvature network: x itself, or the body's features phi(x) for LAST_LAYER. */
    INDArray curvatureInputs(INDArray x) {
        if (lastLayer == null) {
            return x;
        }
        io.kronlaplace.nn.Tensors.requireFinite(x, "network input");
        return features(network.root(), x);
    }

    private INDArray features(Module module, INDArray x) {
        if (module == lastLayer) {
            return x;
        }
        Sequential seq = (Sequential) module;
        INDArray h = x;
        for (int i = 0; i < seq.size() - 1; i++) {
            h = seq.get(i).forward(h, Mode.EVAL);
        }
        return features(seq.get(seq.size() - 1), h);
    }

    /** Evaluation-mode outputs of the curvature network on curvature inputs. */
    /** The fit statistics of one batch at the current weights, from a forward pass of the curvature network. */
    FitStatistics fitStatistics(LaplaceOptions options, INDArray curvatureInputs, INDArray targets) {
        return FitStatistics.of(options.likelihood(), forward(curvatureInputs), targets,
                options.sharedRowsPerExample());
    }

    INDArray forward(INDArray curvatureInputs) {
        return curvatureNetwork.forward(curvatureInputs, Mode.EVAL);
    }

    /**
     * Forward pass on curvature inputs, then one backward pass of {@code copies} vectors per example produced from the
     * outputs by {@code seeds}, reported layer by layer to {@code tap}. Returns the outputs.
     */
    INDArray forwardBackward(INDArray curvatureInputs, Function<INDArray, INDArray> seeds, int copies,
                             GradientTap tap) {
        INDArray out = forward(curvatureInputs);
        INDArray s = seeds.apply(out).castTo(out.dataType());
        curvatureNetwork.backward(s, BackwardContext.curvature(copies, tap));
        return out;
    }

    /** The covered weights as one float64 vector, in group order. */
    double[] flatValues() {
        double[] out = new double[Math.toIntExact(dim)];
        for (int gi = 0; gi < groups.size(); gi++) {
            ParameterGroup g = groups.get(gi);
            double[] v = g.parameter().value().castTo(DataType.DOUBLE).dup('c').data().asDouble();
            int[] chosen = entries.get(gi);
            for (int j = 0; j < g.size(); j++) {
                out[(int) g.offset() + j] = v[chosen == null ? j : chosen[j]];
            }
        }
        return out;
    }

    /**
     * The Jacobian columns of group {@code gi} from rows over its whole parameter tensor (row-major columns): the
     * chosen columns of a subnetwork group, else the rows themselves.
     */
    INDArray groupColumns(int gi, INDArray rowsOverTensor) {
        int[] chosen = entries.get(gi);
        return chosen == null ? rowsOverTensor : rowsOverTensor.getColumns(chosen);
    }

    /**
     * Group {@code gi}'s part of a flat group-order vector, shaped like its parameter; entries a subnetwork group
     * does not cover are taken from {@code base}, or are zero when it is null.
     */
    private INDArray groupTensor(int gi, INDArray flat, INDArray base) {
        ParameterGroup g = groups.get(gi);
        long[] shape = g.parameter().value().shape();
        INDArray part = flat.get(NDArrayIndex.interval(g.offset(), g.offset() + g.size())).castTo(DataType.DOUBLE)
                .dup('c');
        int[] chosen = entries.get(gi);
        if (chosen == null) {
            return part.reshape(shape);
        }
        long size = g.parameter().size();
        INDArray full = base == null ? Nd4j.zeros(DataType.DOUBLE, size)
                : base.castTo(DataType.DOUBLE).dup('c').reshape(size);
        for (int j = 0; j < chosen.length; j++) {
            full.putScalar(chosen[j], part.getDouble(j));
        }
        return full.reshape(shape);
    }

    /**
     * The output tangent of the curvature network for the weight direction {@code step} (flat group order) at the
     * inputs of its last forward pass, plus {@code inputTangent} pushed through: J(x) step when the input tangent is
     * zero.
     *
     * @param type the network's floating type, in which the direction is applied
     */
    INDArray weightDirectionJvp(INDArray inputTangent, INDArray step, DataType type) {
        Map<WeightLayer, INDArray[]> parts = new IdentityHashMap<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            ParameterGroup g = groups.get(gi);
            parts.computeIfAbsent(g.layer(), k -> new INDArray[2])[g.bias() ? 1 : 0] =
                    groupTensor(gi, step, null).castTo(type);
        }
        Map<WeightLayer, WeightTangent> directions = new IdentityHashMap<>();
        parts.forEach((layer, p) -> directions.put(layer, new WeightTangent(
                p[0] != null ? p[0] : Nd4j.zeros(type, layer.weight().value().shape()), p[1])));
        return curvatureNetwork.jvp(inputTangent, new TangentTap() {
            @Override
            public void observe(WeightLayer layer, INDArray input, INDArray tangent) {
            }

            @Override
            public WeightTangent weightTangent(WeightLayer layer) {
                return directions.get(layer);
            }
        });
    }

    /** Writes a flat vector (group order) into the live covered weights. */
    void setFlatValues(double[] theta) {
        if (theta.length != dim) {
            throw new IllegalArgumentException("weight vector has length " + theta.length + ", the posterior covers "
                    + dim + " parameters");
        }
        INDArray flat = Nd4j.createFromArray(theta);
        for (int gi = 0; gi < groups.size(); gi++) {
            INDArray value = groups.get(gi).parameter().value();
            value.assign(groupTensor(gi, flat, value).castTo(value.dataType()));
        }
    }
}
