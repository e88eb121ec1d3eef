package io.kronlaplace.curvature;

import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.Tensors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter-space vectors J_e^T s_{e,c} for each example e and back-propagated vector s_{e,c} (Hessian-root column,
 * sampled gradient or observed gradient): one ordinary backward pass per (example, vector), so every parameter type
 * is covered, including those K-FAC does not factor. Costs N * copies backward passes: for small networks and
 * subsets. Overwrites and finally zeroes the parameter gradients.
 */
final class PerExampleGradients {
    private PerExampleGradients() {
    }

    /** The selected parameters by name in network order; all parameters when names is null or empty. */
    static Map<String, Parameter> select(Network network, Collection<String> names) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        if (names == null || names.isEmpty()) {
            out.putAll(network.parameters());
            return out;
        }
        for (String name : names) {
            network.parameter(name);
        }
        network.parameters().forEach((name, p) -> {
            if (names.contains(name)) {
                out.put(name, p);
            }
        });
        return out;
    }

    /**
     * Calls {@code sink} once per example with a {@code copies x P} float64 matrix whose rows are the parameter
     * vectors (P = total size of the selected parameters, concatenated in network order).
     */
    static void forEach(Network network, Likelihood likelihood, INDArray inputs, INDArray targets,
                        KfacOptions options, Map<String, Parameter> parameters, Consumer<INDArray> sink) {
        int shared = options.sharedRowsPerExample();
        if (inputs == null || inputs.rank() == 0 || inputs.size(0) % shared != 0) {
            throw new IllegalArgumentException("inputs must have a positive multiple of sharedRowsPerExample="
                    + shared + " rows");
        }
        long examples = inputs.size(0) / shared;
        if (targets != null && targets.size(0) != examples) {
            throw new IllegalArgumentException("targets have " + targets.size(0) + " rows, expected " + examples
                    + " (one per example)");
        }
        SplittableRandom random = new SplittableRandom(options.seed());
        List<Parameter> ps = new ArrayList<>(parameters.values());
        long dim = ps.stream().mapToLong(Parameter::size).sum();
        try {
            for (long e = 0; e < examples; e++) {
                INDArray x = Tensors.firstAxisRange(inputs, e * shared, (e + 1) * shared);
                INDArray y = targets == null ? null : Tensors.firstAxisRange(targets, e, e + 1);
                INDArray out = network.forward(x, Mode.EVAL);
                BackpropVectors v = BackpropVectors.compute(likelihood, out, y, options, random);
                INDArray matrix = Nd4j.zeros(DataType.DOUBLE, v.copies(), dim);
                for (int c = 0; c < v.copies(); c++) {
                    network.zeroGrad();
                    network.backward(Tensors.firstAxisRange(v.vectors(), (long) c * shared, (long) (c + 1) * shared).dup(),
                            BackwardContext.training());
                    long offset = 0;
                    for (Parameter p : ps) {
                        matrix.get(NDArrayIndex.point(c), NDArrayIndex.interval(offset, offset + p.size()))
                                .assign(p.grad().reshape(p.size()).castTo(DataType.DOUBLE));
                        offset += p.size();
                    }
                }
                sink.accept(matrix);
            }
        } finally {
            network.zeroGrad();
        }
    }
}
