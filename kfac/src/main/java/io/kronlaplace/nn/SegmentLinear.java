package io.kronlaplace.nn;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense layer z = W a + b on {@code rows x Din} inputs whose rows belong to examples of varying size: the nodes (or
 * edges) of the graphs of a graph batch, each graph an example. The arithmetic is that of {@link Linear} (one row, one
 * position); in addition the layer states the {@link RowSegments} of its input, read from {@code segments} at every
 * forward pass, so that K-FAC REDUCE averages inputs and sums back-propagated vectors over each example's own rows.
 * See docs/graph-networks.md, section "Ragged positions".
 */
public final class SegmentLinear extends Module implements WeightLayer {
    private final Linear linear;
    private final Supplier<RowSegments> segments;
    private INDArray input;
    private RowSegments inputSegments;

    /**
     * @param in       input features
     * @param out      output features
     * @param bias     whether to add a bias
     * @param init     weight initialisation (bias starts at zero)
     * @param segments the row segments of the input of the coming forward pass (e.g. the nodes per graph of the
     *                 batch being processed)
     */
    public SegmentLinear(long in, long out, boolean bias, Init init, Supplier<RowSegments> segments) {
        this.linear = new Linear(in, out, bias, init);
        this.segments = Objects.requireNonNull(segments, "segments");
    }

    @Override
    protected List<Parameter> ownParameters() {
        return linear.ownParameters();
    }

    /** False: the row segments come from a supplier for the whole coming batch, so a part of it would not fit them. */
    @Override
    public boolean rowsPassIndependently() {
        return false;
    }

    @Override
    public INDArray forward(INDArray x, Mode mode) {
        requireInput(x);
        RowSegments s = Objects.requireNonNull(segments.get(), "row segments of the coming batch");
        s.requireRows(x.size(0), name());
        input = x;
        inputSegments = s;
        return linear.forward(x, mode);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        requireCached(input, this);
        requireRows(gradOutput, input.size(0), context, this);
        // the tap must see this layer, whose path and segments the curvature engine knows, not the inner arithmetic
        GradientTap tap = context.tap() == null ? null
                : (layer, in, g, copies) -> context.tap().observe(this, in, g, copies);
        return linear.backward(gradOutput, new BackwardContext(context.parameterGradients(), context.copies(), tap));
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireCached(input, this);
        // the tap must see this layer (and give this layer's weight step), not the inner arithmetic
        return linear.jvp(tangent, tap == null ? null : new TangentTap() {
            @Override
            public void observe(WeightLayer layer, INDArray in, INDArray t) {
                tap.observe(SegmentLinear.this, in, t);
            }

            @Override
            public WeightTangent weightTangent(WeightLayer layer) {
                return tap.weightTangent(SegmentLinear.this);
            }
        });
    }

    @Override
    public long positions(INDArray x) {
        requireInput(x);
        return 1;
    }

    @Override
    public INDArray inputPositions(INDArray x) {
        requireInput(x);
        return linear.inputPositions(x);
    }

    @Override
    public PositionMatrices inputMatrices(INDArray x) {
        requireInput(x);
        return linear.inputMatrices(x);
    }

    @Override
    public INDArray inputPositionsAdjoint(INDArray values, long[] inputShape) {
        if (inputShape.length != 2 || inputShape[1] != inFeatures()) {
            throw new IllegalArgumentException(name() + ": input shape " + java.util.Arrays.toString(inputShape)
                    + " is not [rows, " + inFeatures() + "]");
        }
        return linear.inputPositionsAdjoint(values, inputShape);
    }

    @Override
    public INDArray meanInput(INDArray x) {
        requireInput(x);
        return x;
    }

    @Override
    public void forEachInputChunk(INDArray x, long maxElements, Consumer<PositionMatrices> visitor) {
        requireInput(x);
        if (maxElements < 1) {
            throw new IllegalArgumentException(name() + ": chunks need maxElements >= 1, got " + maxElements);
        }
        linear.forEachInputChunk(x, maxElements, visitor);
    }

    @Override
    public PositionMatrices outputMatrices(INDArray outputLike) {
        Tensors.requireRank(outputLike, name() + " output-shaped array", 2);
        Tensors.requireSize(outputLike, 1, outFeatures(), name() + " output features");
        return linear.outputMatrices(outputLike);
    }

    /** The segments of the last forward pass's input; {@code x} must have its row count. */
    @Override
    public RowSegments rowSegments(INDArray x) {
        requireInput(x);
        RowSegments s = inputSegments;
        if (s == null) {
            throw new IllegalStateException(name() + ": row segments are known only after a forward pass");
        }
        s.requireRows(x.size(0), name());
        return s;
    }

    private void requireInput(INDArray x) {
        Tensors.requireRank(x, name() + " input", 2);
        Tensors.requireSize(x, 1, inFeatures(), name() + " input features");
    }

    private String name() {
        return "SegmentLinear '" + path() + "'";
    }

    @Override
    public Parameter weight() {
        return linear.weight();
    }

    @Override
    public Parameter bias() {
        return linear.bias();
    }

    @Override
    public long inFeatures() {
        return linear.inFeatures();
    }

    @Override
    public long outFeatures() {
        return linear.outFeatures();
    }
}
