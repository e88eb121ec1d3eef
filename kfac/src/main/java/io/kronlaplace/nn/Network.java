package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A complete model: a root {@link Module} whose sub-modules have been given their dotted names, with a fixed parameter
 * order, a flat-vector view of all parameters and input validation at the entry point.
 */
public final class Network {
    private final Module root;
    private final Map<String, Parameter> parameters;
    private final List<WeightLayer> weightLayers;

    /** Assembles a network around {@code root}, assigning dotted names to every sub-module. */
    public Network(Module root) {
        this.root = root;
        root.assignPaths("");
        this.parameters = Collections.unmodifiableMap(root.namedParameters());
        this.weightLayers = List.copyOf(root.weightLayers());
    }

    /** The root module. */
    public Module root() {
        return root;
    }

    /** Forward pass; rejects NaN or infinite inputs. */
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireFinite(input, "network input");
        return root.forward(input, mode);
    }

    /** Backward pass from the gradient of the loss w.r.t. the outputs; rejects NaN or infinite gradients. */
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        Tensors.requireFinite(gradOutput, "output gradient");
        return root.backward(gradOutput, context);
    }

    /**
     * Forward-mode derivative at the input of the last forward pass (see {@link Module#jvp}).
     *
     * @param tangent input direction, the shape of the last input
     * @param tap     sees each weight layer's input and input tangent (may be null)
     * @return the output tangent
     */
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        Tensors.requireFinite(tangent, "input tangent");
        return root.jvp(tangent, tap);
    }

    /** Parameters by dotted name, in the network's fixed order. */
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /** The parameter with this dotted name; the error lists a few valid names when there is none. */
    public Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            List<String> names = new ArrayList<>(parameters.keySet());
            throw new IllegalArgumentException("unknown parameter '" + name + "'; this network has "
                    + names.size() + " parameters, e.g. " + names.subList(0, Math.min(5, names.size())));
        }
        return p;
    }

    /**
     * Non-trainable state (BatchNorm running statistics) by dotted name; live arrays, looked up afresh on each call
     * because {@link #castTo} replaces them.
     */
    public Map<String, INDArray> buffers() {
        return Collections.unmodifiableMap(root.namedBuffers());
    }

    /**
     * The module that produces the network's output: the root, or, while that is a non-empty {@link Sequential}, its
     * last module.
     */
    public Module finalModule() {
        Module last = root;
        while (last instanceof Sequential seq && seq.size() > 0) {
            last = seq.get(seq.size() - 1);
        }
        return last;
    }

    /** The {@link #finalModule()} when it is a Linear layer (what a last-layer posterior covers), else empty. */
    public Optional<Linear> finalLinear() {
        return finalModule() instanceof Linear linear ? Optional.of(linear) : Optional.empty();
    }

    /** The Linear and Conv2d layers in forward order. */
    public List<WeightLayer> weightLayers() {
        return weightLayers;
    }

    /** Total number of scalar parameters. */
    public long numParameters() {
        return parameters.values().stream().mapToLong(Parameter::size).sum();
    }

    /** The floating-point type of the parameters. */
    public DataType dataType() {
        return parameters.values().iterator().next().value().dataType();
    }

    /** Converts all parameters and buffers to {@code type}. */
    public void castTo(DataType type) {
        root.castTo(type);
    }

    /** Sets all parameter gradients to zero. */
    public void zeroGrad() {
        root.zeroGrad();
    }

    /** All parameter values concatenated in order (a copy), as a row vector. */
    public INDArray flatParameters() {
        return concat(parameters.values().stream().map(Parameter::value).toList());
    }

    /** All parameter gradients concatenated in order (a copy). */
    public INDArray flatGradients() {
        return concat(parameters.values().stream().map(Parameter::grad).toList());
    }

    /** Writes a flat vector (as from {@link #flatParameters()}) back into the parameters. */
    public void setFlatParameters(INDArray flat) {
        scatter(flat, Parameter::value, "parameter");
    }

    /**
     * Writes a flat vector (as from {@link #flatGradients()}) into the parameters' gradients, e.g. gradients summed
     * over data-parallel replicas.
     */
    public void setFlatGradients(INDArray flat) {
        scatter(flat, Parameter::grad, "gradient");
    }

    private void scatter(INDArray flat, java.util.function.Function<Parameter, INDArray> target, String what) {
        if (flat.length() != numParameters()) {
            throw new IllegalArgumentException("flat " + what + " vector has length " + flat.length()
                    + ", network has " + numParameters() + " parameters");
        }
        INDArray f = flat.reshape(flat.length());
        long offset = 0;
        for (Parameter p : parameters.values()) {
            long n = p.size();
            INDArray live = target.apply(p);
            live.assign(f.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n))
                    .reshape(live.shape()));
            offset += n;
        }
    }

    private INDArray concat(List<INDArray> parts) {
        INDArray[] flat = parts.stream().map(a -> a.reshape(1, a.length())).toArray(INDArray[]::new);
        return Nd4j.hstack(flat).reshape(numParameters());
    }
}
