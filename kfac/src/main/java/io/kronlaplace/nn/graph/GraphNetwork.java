package io.kronlaplace.nn.graph;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.RowIndex;
import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.SegmentLinear;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A graph network (Battaglia et al. 2018): {@link GraphBlock}s of edge, node and global updates by MLPs with sum or
 * mean aggregation, and a {@link Readout}. Its input is a batch of graphs packed one per row by
 * {@link GraphRows#pack}, so the graph is the example everywhere (batches, targets, curvature); its output has one
 * row per graph. The weight layers of node and edge updates are {@link SegmentLinear} layers over all nodes or edges
 * of the batch whose row segments are the graphs, so K-FAC REDUCE works per graph. The input gradient is non-zero in
 * the feature slots only.
 *
 * <p>{@link Builder#build()} returns a {@link Network}: for the pooled readouts ({@link Readout#NODE_MEAN},
 * {@link Readout#GLOBAL}) a {@link Sequential} of this module, which outputs the pooled graph features, and a
 * {@link Linear} head named "head" (so a last-layer posterior covers the head on the graph features); for
 * {@link Readout#PER_NODE} this module alone, with its node-wise head inside. See docs/graph-networks.md.
 */
public final class GraphNetwork extends Module {
    private final int nodeFeatures;
    private final int edgeFeatures;
    private final List<GraphBlock> blocks;
    private final Module head;
    private final Linear outerHead;
    private final Readout readout;
    private final long outputs;
    private GraphBatch batch;
    private INDArray input;
    private int nodeSlots;

    private GraphNetwork(Builder b) {
        this.nodeFeatures = b.nodeFeatures;
        this.edgeFeatures = b.edgeFeatures;
        this.readout = b.readout;
        this.outputs = b.outputs;
        Init init = new Init(b.seed, b.dataType,
                b.activation == Activation.RELU ? Init.Scheme.KAIMING_NORMAL : Init.Scheme.XAVIER_NORMAL);
        Supplier<RowSegments> nodes = () -> batch.nodeSegments();
        Supplier<RowSegments> edges = () -> batch.edgeSegments();
        this.blocks = new ArrayList<>();
        long dn = b.nodeFeatures;
        long de = b.edgeFeatures;
        long du = 0;
        for (int i = 0; i < b.blocks; i++) {
            boolean last = i == b.blocks - 1;
            boolean global = b.globalUpdates && (!last || b.readout == Readout.GLOBAL);
            Module edgeMlp = mlp(de + 2 * dn + du, b, init, edges);
            Module nodeMlp = mlp(dn + b.width + du, b, init, nodes);
            Module globalMlp = global ? mlp(2L * b.width + du, b, init, null) : null;
            blocks.add(new GraphBlock(de, dn, du, edgeMlp, nodeMlp, globalMlp, b.aggregation));
            dn = b.width;
            de = b.width;
            du = global ? b.width : 0;
        }
        this.head = b.readout == Readout.PER_NODE ? new SegmentLinear(b.width, b.outputs, b.bias, init, nodes) : null;
        this.outerHead = b.readout == Readout.PER_NODE ? null : new Linear(b.width, b.outputs, b.bias, init);
    }

    /**
     * A builder with the defaults listed on its setters.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private static Module mlp(long in, Builder b, Init init, Supplier<RowSegments> segments) {
        Sequential mlp = new Sequential();
        long width = in;
        for (int l = 0; l < b.mlpLayers; l++) {
            mlp.add(segments == null ? new Linear(width, b.width, b.bias, init)
                    : new SegmentLinear(width, b.width, b.bias, init, segments));
            Module activation = b.activation.module();
            if (activation != null) {
                mlp.add(activation);
            }
            width = b.width;
        }
        return mlp;
    }

    @Override
    protected List<Child> children() {
        List<Child> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            out.add(new Child("block" + i, blocks.get(i)));
        }
        if (head != null) {
            out.add(new Child("head", head));
        }
        return out;
    }

    /**
     * @param packed graphs packed by {@link GraphRows#pack} with this network's feature sizes
     * @return the pooled graph features {@code [graphs, width]}, or {@code [graphs, nodeSlots * outputs]} for
     *         {@link Readout#PER_NODE}
     */
    @Override
    public INDArray forward(INDArray packed, Mode mode) {
        GraphBatch b = GraphRows.unpack(packed, nodeFeatures, edgeFeatures);
        batch = b;
        input = packed;
        nodeSlots = (int) Math.round(packed.getDouble(0, 2));
        GraphFeatures h = new GraphFeatures(b.nodeFeatures(), b.edgeFeatures(), null);
        for (GraphBlock block : blocks) {
            h = block.forward(h, b, mode);
        }
        return switch (readout) {
            case GLOBAL -> h.globals();
            case NODE_MEAN -> b.nodeSegments().means(h.nodes());
            case PER_NODE -> RowIndex.scatterAdd(head.forward(h.nodes(), mode), b.nodeSlots(),
                    (long) b.graphs() * nodeSlots, 1).reshape(b.graphs(), nodeSlots * outputs);
        };
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray packed = requireCached(input, this);
        GraphBatch b = batch;
        int copies = context.copies();
        requireRows(gradOutput, b.graphs(), context, this);
        GraphFeatures grad = switch (readout) {
            case GLOBAL -> new GraphFeatures(null, null, gradOutput);
            case NODE_MEAN -> new GraphFeatures(RowIndex.gather(RowIndex.scaleRows(gradOutput,
                    b.nodeSegments().inverseLengths(), copies), b.nodeSegments().segmentOfRow(), copies), null, null);
            case PER_NODE -> new GraphFeatures(head.backward(RowIndex.gather(
                    gradOutput.reshape((long) copies * b.graphs() * nodeSlots, outputs), b.nodeSlots(), copies),
                    context), null, null);
        };
        for (int i = blocks.size() - 1; i >= 0; i--) {
            grad = blocks.get(i).backward(grad, b, context);
        }
        return GraphRows.packGradients(grad.nodes(), grad.edges(), copies, b, packed);
    }

    /**
     * Features per node of the input graphs.
     *
     * @return Dn, the node feature count the packed input must have
     */
    public int nodeFeatures() {
        return nodeFeatures;
    }

    /**
     * Features per edge of the input graphs (0 for none).
     *
     * @return De, the edge feature count the packed input must have
     */
    public int edgeFeatures() {
        return edgeFeatures;
    }

    /** Builder for {@link GraphNetwork}; every setter validates its argument. */
    public static final class Builder {
        private int nodeFeatures = 1;
        private int edgeFeatures;
        private int width = 32;
        private int mlpLayers = 2;
        private int blocks = 2;
        private Aggregation aggregation = Aggregation.SUM;
        private Activation activation = Activation.RELU;
        private boolean globalUpdates = true;
        private Readout readout = Readout.NODE_MEAN;
        private int outputs = 1;
        private boolean bias = true;
        private long seed;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /**
         * Features per input node (default 1).
         *
         * @param n node feature count Dn of the graphs to be packed, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Builder nodeFeatures(int n) {
            this.nodeFeatures = positive(n, "nodeFeatures");
            return this;
        }

        /**
         * Features per input edge, 0 for none (default 0).
         *
         * @param n edge feature count De of the graphs to be packed, 0 or more
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 0}
         */
        public Builder edgeFeatures(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("edgeFeatures must be >= 0, got " + n);
            }
            this.edgeFeatures = n;
            return this;
        }

        /**
         * Width of every update MLP layer (default 32).
         *
         * @param w output features of every weight layer in the blocks, also the node, edge and global feature
         *          width between blocks; at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code w < 1}
         */
        public Builder width(int w) {
            this.width = positive(w, "width");
            return this;
        }

        /**
         * Weight layers per update MLP (default 2).
         *
         * @param n weight layers in each edge, node and global MLP, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Builder mlpLayers(int n) {
            this.mlpLayers = positive(n, "mlpLayers");
            return this;
        }

        /**
         * Graph-network blocks (default 2).
         *
         * @param n rounds of message passing, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Builder blocks(int n) {
            this.blocks = positive(n, "blocks");
            return this;
        }

        /**
         * Message and readout aggregation (default SUM).
         *
         * @param a how messages at a node, and nodes and edges of a graph, are combined; not null
         * @return this builder
         * @throws NullPointerException when {@code a} is null
         */
        public Builder aggregation(Aggregation a) {
            this.aggregation = java.util.Objects.requireNonNull(a, "aggregation");
            return this;
        }

        /**
         * Nonlinearity after every MLP layer (default RELU; IDENTITY makes the network linear).
         *
         * @param a the activation; RELU also selects Kaiming initialisation, the others Xavier; not null
         * @return this builder
         * @throws NullPointerException when {@code a} is null
         */
        public Builder activation(Activation a) {
            this.activation = java.util.Objects.requireNonNull(a, "activation");
            return this;
        }

        /**
         * Whether blocks update global features (default true); the last block does only for the GLOBAL readout, since
         * nothing else reads them.
         *
         * @param g true for a global MLP in the blocks
         * @return this builder
         */
        public Builder globalUpdates(boolean g) {
            this.globalUpdates = g;
            return this;
        }

        /**
         * What is output per graph (default NODE_MEAN).
         *
         * @param r the readout; GLOBAL needs global updates; not null
         * @return this builder
         * @throws NullPointerException when {@code r} is null
         */
        public Builder readout(Readout r) {
            this.readout = java.util.Objects.requireNonNull(r, "readout");
            return this;
        }

        /**
         * Outputs per graph (or per node for PER_NODE; default 1).
         *
         * @param n output features of the head, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Builder outputs(int n) {
            this.outputs = positive(n, "outputs");
            return this;
        }

        /**
         * Whether weight layers have biases (default true).
         *
         * @param b true to give every weight layer, the head included, a bias
         * @return this builder
         */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /**
         * Initialisation seed (default 0).
         *
         * @param s seed of the weight initialisation; equal seeds and settings give equal networks
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Parameter type, FLOAT or DOUBLE (default FLOAT).
         *
         * @param t the floating type of the parameters; packed inputs must have the same type
         * @return this builder
         * @throws IllegalArgumentException when {@code t} is neither FLOAT nor DOUBLE
         */
        public Builder dataType(DataType t) {
            if (t != DataType.FLOAT && t != DataType.DOUBLE) {
                throw new IllegalArgumentException("graph networks run in FLOAT or DOUBLE, got " + t);
            }
            this.dataType = t;
            return this;
        }

        /**
         * The network: this module and a Linear head for the pooled readouts, this module alone for PER_NODE.
         *
         * @return a new network with freshly initialised weights
         * @throws IllegalArgumentException for the GLOBAL readout without global updates
         */
        public Network build() {
            if (readout == Readout.GLOBAL && !globalUpdates) {
                throw new IllegalArgumentException("the GLOBAL readout needs global updates");
            }
            GraphNetwork graph = new GraphNetwork(this);
            return new Network(graph.outerHead == null ? graph
                    : new Sequential().add("graph", graph).add("head", graph.outerHead));
        }

        private static int positive(int v, String name) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + v);
            }
            return v;
        }
    }
}
