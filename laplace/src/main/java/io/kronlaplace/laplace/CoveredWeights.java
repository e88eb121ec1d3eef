package io.kronlaplace.laplace;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.GradientTap;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
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

    private CoveredWeights(SubsetOfWeights subset, Network network, Network curvatureNetwork, Linear lastLayer,
                           List<String> names) {
        this.subset = subset;
        this.network = network;
        this.curvatureNetwork = curvatureNetwork;
        this.lastLayer = lastLayer;
        List<ParameterGroup> gs = new ArrayList<>();
        long offset = 0;
        int nameIndex = 0;
        for (WeightLayer layer : curvatureNetwork.weightLayers()) {
            gs.add(new ParameterGroup(names.get(nameIndex++), layer, false, layer.weight(), offset,
                    layer.weight().size()));
            offset += layer.weight().size();
            if (layer.bias() != null) {
                gs.add(new ParameterGroup(names.get(nameIndex++), layer, true, layer.bias(), offset,
                        layer.bias().size()));
                offset += layer.bias().size();
            }
        }
        if (gs.isEmpty()) {
            throw new IllegalArgumentException("the network has no weight layers (Linear, Conv2d) to cover");
        }
        this.groups = Collections.unmodifiableList(gs);
        this.dim = offset;
    }

    /** Every weight layer of the network. */
    static CoveredWeights all(Network network) {
        List<String> names = new ArrayList<>();
        for (WeightLayer layer : network.weightLayers()) {
            names.add(dotted(layer.path(), "weight"));
            if (layer.bias() != null) {
                names.add(dotted(layer.path(), "bias"));
            }
        }
        return new CoveredWeights(SubsetOfWeights.ALL, network, network, null, names);
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
        return new CoveredWeights(SubsetOfWeights.LAST_LAYER, network, new Network(surrogate), linear, names);
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
        if (subset == SubsetOfWeights.ALL) {
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
        for (ParameterGroup g : groups) {
            double[] v = g.parameter().value().castTo(DataType.DOUBLE).dup('c').data().asDouble();
            System.arraycopy(v, 0, out, (int) g.offset(), v.length);
        }
        return out;
    }

    /**
     * The output tangent of the curvature network for the weight direction {@code step} (flat group order) at the
     * inputs of its last forward pass, plus {@code inputTangent} pushed through: J(x) step when the input tangent is
     * zero.
     *
     * @param type the network's floating type, in which the direction is applied
     */
    INDArray weightDirectionJvp(INDArray inputTangent, INDArray step, DataType type) {
        Map<WeightLayer, WeightTangent> directions = new IdentityHashMap<>();
        for (ParameterGroup g : groups) {
            INDArray value = g.parameter().value();
            INDArray part = step.get(NDArrayIndex.interval(g.offset(), g.offset() + g.size())).dup('c')
                    .reshape(value.shape()).castTo(type);
            WeightTangent earlier = directions.get(g.layer());
            directions.put(g.layer(), g.bias() ? new WeightTangent(earlier.weight(), part)
                    : new WeightTangent(part, null));
        }
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
        for (ParameterGroup g : groups) {
            INDArray value = g.parameter().value();
            value.assign(flat.get(NDArrayIndex.interval(g.offset(), g.offset() + g.size()))
                    .reshape(value.shape()).castTo(value.dataType()));
        }
    }
}
