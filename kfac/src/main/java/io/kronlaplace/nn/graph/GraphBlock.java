package io.kronlaplace.nn.graph;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.RowIndex;
import io.kronlaplace.nn.RowSegments;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One full graph-network block (Battaglia et al. 2018): an edge update {@code e' = phi_e([e, v_s, v_r, u])} on
 * every edge from its features, its end nodes and its graph's globals; a node update
 * {@code v' = phi_v([v, agg_{edges into v} e', u])}; and, optionally, a global update
 * {@code u' = phi_u([agg_nodes v', agg_edges e', u])} per graph. The update functions are MLPs whose weight layers
 * act on all edges, nodes or graphs of the batch. Absent inputs (edges without features, no globals yet) are left out
 * of the concatenations. It runs on {@link GraphFeatures}, not on a single array: {@link GraphNetwork} drives it.
 */
final class GraphBlock extends Module {
    private final Module edgeUpdate;
    private final Module nodeUpdate;
    private final Module globalUpdate;
    private final Aggregation aggregation;
    private final long edgeIn;
    private final long nodeIn;
    private final boolean withGlobals;
    private long[] edgeParts;
    private long[] nodeParts;
    private long[] globalParts;

    /**
     * @param edgeFeatures  features per edge entering the block (0 for none)
     * @param nodeFeatures  features per node entering the block
     * @param globalFeatures features per graph entering the block (0 for none)
     * @param globalUpdate  null for a block without a global update
     */
    GraphBlock(long edgeFeatures, long nodeFeatures, long globalFeatures, Module edgeUpdate, Module nodeUpdate,
               Module globalUpdate, Aggregation aggregation) {
        this.edgeUpdate = edgeUpdate;
        this.nodeUpdate = nodeUpdate;
        this.globalUpdate = globalUpdate;
        this.aggregation = aggregation;
        this.edgeIn = edgeFeatures;
        this.nodeIn = nodeFeatures;
        this.withGlobals = globalFeatures > 0;
    }

    @Override
    protected List<Child> children() {
        List<Child> out = new ArrayList<>();
        out.add(new Child("edge", edgeUpdate));
        out.add(new Child("node", nodeUpdate));
        if (globalUpdate != null) {
            out.add(new Child("global", globalUpdate));
        }
        return out;
    }

    /** Graph blocks take node, edge and global features; {@link GraphNetwork} calls {@link #forward(GraphFeatures, GraphBatch, Mode)}. */
    @Override
    public INDArray forward(INDArray input, Mode mode) {
        throw new UnsupportedOperationException("GraphBlock '" + path() + "' runs on graph features inside a"
                + " GraphNetwork, not on a single array");
    }

    /** See {@link #forward(INDArray, Mode)}. */
    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        throw new UnsupportedOperationException("GraphBlock '" + path() + "' runs on graph features inside a"
                + " GraphNetwork, not on a single array");
    }

    GraphFeatures forward(GraphFeatures h, GraphBatch batch, Mode mode) {
        int[] senders = batch.sendersView();
        int[] receivers = batch.receiversView();
        int[] edgeGraph = batch.edgeSegments().segmentOfRow();
        int[] nodeGraph = batch.nodeSegments().segmentOfRow();
        List<INDArray> edgeInputs = new ArrayList<>();
        if (edgeIn > 0) {
            edgeInputs.add(h.edges());
        }
        edgeInputs.add(RowIndex.gather(h.nodes(), senders, 1));
        edgeInputs.add(RowIndex.gather(h.nodes(), receivers, 1));
        if (withGlobals) {
            edgeInputs.add(RowIndex.gather(h.globals(), edgeGraph, 1));
        }
        edgeParts = widths(edgeInputs);
        INDArray edges = edgeUpdate.forward(Nd4j.hstack(edgeInputs.toArray(INDArray[]::new)), mode);

        List<INDArray> nodeInputs = new ArrayList<>();
        nodeInputs.add(h.nodes());
        nodeInputs.add(aggregate(edges, receivers, batch.nodeSegments().rows(), inDegreeInverse(batch), 1));
        if (withGlobals) {
            nodeInputs.add(RowIndex.gather(h.globals(), nodeGraph, 1));
        }
        nodeParts = widths(nodeInputs);
        INDArray nodes = nodeUpdate.forward(Nd4j.hstack(nodeInputs.toArray(INDArray[]::new)), mode);

        INDArray globals = null;
        if (globalUpdate != null) {
            List<INDArray> globalInputs = new ArrayList<>();
            globalInputs.add(segmentAggregate(nodes, batch.nodeSegments(), 1));
            globalInputs.add(segmentAggregate(edges, batch.edgeSegments(), 1));
            if (withGlobals) {
                globalInputs.add(h.globals());
            }
            globalParts = widths(globalInputs);
            globals = globalUpdate.forward(Nd4j.hstack(globalInputs.toArray(INDArray[]::new)), mode);
        }
        return new GraphFeatures(nodes, edges, globals);
    }

    /**
     * Back-propagates gradients w.r.t. this block's outputs ({@code copies} copy-major blocks; null edges or globals
     * where the network output does not depend on them) to its inputs.
     */
    GraphFeatures backward(GraphFeatures grad, GraphBatch batch, BackwardContext context) {
        int copies = context.copies();
        int[] senders = batch.sendersView();
        int[] receivers = batch.receiversView();
        int[] edgeGraph = batch.edgeSegments().segmentOfRow();
        int[] nodeGraph = batch.nodeSegments().segmentOfRow();
        int nodeRows = batch.nodeSegments().rows();
        int graphs = batch.graphs();
        INDArray dNodesOut = grad.nodes();
        INDArray dEdgesOut = grad.edges();
        INDArray dGlobalsIn = null;
        if (globalUpdate != null && grad.globals() != null) {
            List<INDArray> parts = split(globalUpdate.backward(grad.globals(), context), globalParts);
            dNodesOut = plus(dNodesOut, segmentAggregateBackward(parts.get(0), batch.nodeSegments(), copies));
            dEdgesOut = plus(dEdgesOut, segmentAggregateBackward(parts.get(1), batch.edgeSegments(), copies));
            if (withGlobals) {
                dGlobalsIn = parts.get(2);
            }
        }
        List<INDArray> nodeGrads = split(nodeUpdate.backward(dNodesOut, context), nodeParts);
        INDArray dNodesIn = nodeGrads.get(0);
        dEdgesOut = plus(dEdgesOut, aggregateBackward(nodeGrads.get(1), receivers, inDegreeInverse(batch), copies));
        if (withGlobals) {
            dGlobalsIn = plus(dGlobalsIn, RowIndex.scatterAdd(nodeGrads.get(2), nodeGraph, graphs, copies));
        }
        List<INDArray> edgeGrads = split(edgeUpdate.backward(dEdgesOut, context), edgeParts);
        int part = 0;
        INDArray dEdgesIn = edgeIn > 0 ? edgeGrads.get(part++) : null;
        dNodesIn = dNodesIn.add(RowIndex.scatterAdd(edgeGrads.get(part++), senders, nodeRows, copies))
                .addi(RowIndex.scatterAdd(edgeGrads.get(part++), receivers, nodeRows, copies));
        if (withGlobals) {
            dGlobalsIn = plus(dGlobalsIn, RowIndex.scatterAdd(edgeGrads.get(part), edgeGraph, graphs, copies));
        }
        return new GraphFeatures(dNodesIn, dEdgesIn, dGlobalsIn);
    }

    /** Whether this block computes global features. */
    boolean hasGlobalUpdate() {
        return globalUpdate != null;
    }

    private INDArray aggregate(INDArray messages, int[] index, long targets, double[] meanScale, int copies) {
        INDArray sums = RowIndex.scatterAdd(messages, index, targets, copies);
        return aggregation == Aggregation.MEAN ? RowIndex.scaleRows(sums, meanScale, copies) : sums;
    }

    private INDArray aggregateBackward(INDArray grad, int[] index, double[] meanScale, int copies) {
        INDArray g = aggregation == Aggregation.MEAN ? RowIndex.scaleRows(grad, meanScale, copies) : grad;
        return RowIndex.gather(g, index, copies);
    }

    private INDArray segmentAggregate(INDArray rows, RowSegments segments, int copies) {
        return aggregate(rows, segments.segmentOfRow(), segments.count(), segments.inverseLengths(), copies);
    }

    private INDArray segmentAggregateBackward(INDArray grad, RowSegments segments, int copies) {
        return aggregateBackward(grad, segments.segmentOfRow(), segments.inverseLengths(), copies);
    }

    /** 1 / (edges arriving at each node), 0 for a node that receives none. */
    private static double[] inDegreeInverse(GraphBatch batch) {
        double[] degree = new double[batch.nodeSegments().rows()];
        for (int r : batch.receiversView()) {
            degree[r]++;
        }
        for (int i = 0; i < degree.length; i++) {
            degree[i] = degree[i] == 0 ? 0 : 1 / degree[i];
        }
        return degree;
    }

    private static long[] widths(List<INDArray> parts) {
        return parts.stream().mapToLong(p -> p.size(1)).toArray();
    }

    private static List<INDArray> split(INDArray grad, long[] widths) {
        List<INDArray> out = new ArrayList<>();
        long start = 0;
        for (long w : widths) {
            out.add(grad.get(NDArrayIndex.all(), NDArrayIndex.interval(start, start + w)).dup('c'));
            start += w;
        }
        return out;
    }

    private static INDArray plus(INDArray a, INDArray b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.add(b);
    }
}
