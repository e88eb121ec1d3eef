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

    /**
     * Assembles a network around {@code root}, assigning dotted names to every sub-module.
     *
     * @param root the whole model, usually a {@link Sequential}; its parameter set is read once here, so the module
     *             tree must not change afterwards
     */
    public Network(Module root) {
        this.root = root;
        root.assignPaths("");
        this.parameters = Collections.unmodifiableMap(root.namedParameters());
        this.weightLayers = List.copyOf(root.weightLayers());
    }

    /**
     * The root module.
     *
     * @return the module this network was built around
     */
    public Module root() {
        return root;
    }

    /**
     * Forward pass; rejects NaN or infinite inputs.
     *
     * @param input a batch of N examples along dimension 0 in the shape the root module takes
     * @param mode  {@link Mode#TRAIN} for a training step, {@link Mode#EVAL} for prediction and curvature passes
     * @return the network output, N rows along dimension 0 ({@code [N, outputs]} for the bundled models)
     * @throws IllegalArgumentException if the input contains NaN or infinite values, or has a shape the layers reject
     */
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireFinite(input, "network input");
        return root.forward(input, mode);
    }

    /**
     * Backward pass from the gradient of the loss w.r.t. the outputs; rejects NaN or infinite gradients.
     *
     * @param gradOutput the gradient w.r.t. the output of the last forward pass, {@code context.copies() * N} rows,
     *                   copy-major
     * @param context    whether to accumulate parameter gradients, copies per example and the optional tap
     * @return the gradient w.r.t. the network input, {@code copies * N} rows
     * @throws IllegalArgumentException if the gradient contains NaN or infinite values or has the wrong row count
     * @throws IllegalStateException    if no forward pass has run
     */
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        Tensors.requireFinite(gradOutput, "output gradient");
        return root.backward(gradOutput, context);
    }

    /**
     * Forward-mode derivative at the input of the last forward pass (see {@link Module#jvp}).
     *
     * @param tangent input direction, the shape of the last input
     * @param tap     sees each weight layer's input and input tangent (may be null)
     * @return the output tangent, the shape of the last output
     * @throws IllegalArgumentException if the tangent contains NaN or infinite values
     * @throws IllegalStateException    if a layer of the network has no forward-mode derivative
     */
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        Tensors.requireFinite(tangent, "input tangent");
        return root.jvp(tangent, tap);
    }

    /**
     * Parameters by dotted name, in the network's fixed order.
     *
     * @return an unmodifiable map from dotted names ({@code "block1.conv1.weight"}) to the live parameters
     */
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /**
     * The parameter with this dotted name; the error lists a few valid names when there is none.
     *
     * @param name the full dotted name, as a key of {@link #parameters()}
     * @return the live parameter
     * @throws IllegalArgumentException if the network has no parameter of that name
     */
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
     *
     * @return an unmodifiable map from dotted names to the live buffer arrays, empty without normalisation layers
     */
    public Map<String, INDArray> buffers() {
        return Collections.unmodifiableMap(root.namedBuffers());
    }

    /**
     * The module that produces the network's output: the root, or, while that is a non-empty {@link Sequential}, its
     * last module.
     *
     * @return the output module, the root itself when it is not a {@link Sequential}
     */
    public Module finalModule() {
        Module last = root;
        while (last instanceof Sequential seq && seq.size() > 0) {
            last = seq.get(seq.size() - 1);
        }
        return last;
    }

    /**
     * The {@link #finalModule()} when it is a Linear layer (what a last-layer posterior covers), else empty.
     *
     * @return the final Linear layer, or empty when the network ends in another kind of module
     */
    public Optional<Linear> finalLinear() {
        return finalModule() instanceof Linear linear ? Optional.of(linear) : Optional.empty();
    }

    /**
     * The Linear and Conv2d layers in forward order.
     *
     * @return an unmodifiable list of every {@link WeightLayer} of the network
     */
    public List<WeightLayer> weightLayers() {
        return weightLayers;
    }

    /**
     * Whether a batch may pass through the network in chunks of its rows with the results of one pass: true when
     * every weight layer says so ({@link WeightLayer#rowsPassIndependently()}).
     *
     * @return true unless some weight layer reads state that describes the whole batch
     */
    public boolean rowsPassIndependently() {
        return weightLayers.stream().allMatch(WeightLayer::rowsPassIndependently);
    }

    /**
     * Total number of scalar parameters.
     *
     * @return the summed lengths of all parameters, the length of {@link #flatParameters()}
     */
    public long numParameters() {
        return parameters.values().stream().mapToLong(Parameter::size).sum();
    }

    /**
     * The floating-point type of the parameters.
     *
     * @return the data type of the first parameter ({@link #castTo} keeps them all alike)
     */
    public DataType dataType() {
        return parameters.values().iterator().next().value().dataType();
    }

    /**
     * Converts all parameters and buffers to {@code type}.
     *
     * @param type the target floating-point type ({@link DataType#FLOAT} or {@link DataType#DOUBLE}); parameter and
     *             buffer arrays are replaced, so references to the old arrays go stale
     */
    public void castTo(DataType type) {
        root.castTo(type);
    }

    /** Sets all parameter gradients to zero. */
    public void zeroGrad() {
        root.zeroGrad();
    }

    /**
     * All parameter values concatenated in order (a copy).
     *
     * @return a new vector of length {@link #numParameters()}, in the order of {@link #parameters()}, each parameter
     *         flattened in C order
     */
    public INDArray flatParameters() {
        return concat(parameters.values().stream().map(Parameter::value).toList());
    }

    /**
     * All parameter gradients concatenated in order (a copy).
     *
     * @return a new vector of length {@link #numParameters()}, laid out as {@link #flatParameters()}
     */
    public INDArray flatGradients() {
        return concat(parameters.values().stream().map(Parameter::grad).toList());
    }

    /**
     * Writes a flat vector (as from {@link #flatParameters()}) back into the parameters.
     *
     * @param flat {@link #numParameters()} values in the layout of {@link #flatParameters()}, any shape of that length;
     *             copied into the live parameter arrays
     * @throws IllegalArgumentException if its length is not {@link #numParameters()}
     */
    public void setFlatParameters(INDArray flat) {
        scatter(flat, Parameter::value, "parameter");
    }

    /**
     * Writes a flat vector (as from {@link #flatGradients()}) into the parameters' gradients, e.g. gradients summed
     * over data-parallel replicas.
     *
     * @param flat {@link #numParameters()} values in the layout of {@link #flatGradients()}, any shape of that length;
     *             copied into the live gradient arrays
     * @throws IllegalArgumentException if its length is not {@link #numParameters()}
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
