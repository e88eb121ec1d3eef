package io.kronlaplace.nn.graph;

import io.kronlaplace.nn.RowSegments;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Several graphs of different sizes as one batch: the nodes of all graphs stacked in graph order
 * ({@code [nodes, nodeFeatures]}), likewise the edges, and the edges' end points as row indices into the stacked
 * nodes. The graph is the example; the per-graph node and edge counts are the {@link RowSegments} of node-wise and
 * edge-wise layers. Built by {@link GraphRows#unpack}.
 */
public final class GraphBatch {
    private final INDArray nodeFeatures;
    private final INDArray edgeFeatures;
    private final int[] senders;
    private final int[] receivers;
    private final RowSegments nodeSegments;
    private final RowSegments edgeSegments;
    private final int[] nodeSlots;

    GraphBatch(INDArray nodeFeatures, INDArray edgeFeatures, int[] senders, int[] receivers, int[] nodeCounts,
               int[] edgeCounts, int slotsPerGraph) {
        this.nodeFeatures = Objects.requireNonNull(nodeFeatures, "nodeFeatures");
        this.edgeFeatures = edgeFeatures;
        this.senders = senders;
        this.receivers = receivers;
        this.nodeSegments = new RowSegments(nodeCounts);
        this.edgeSegments = new RowSegments(edgeCounts);
        this.nodeSlots = new int[nodeSegments.rows()];
        int row = 0;
        for (int g = 0; g < nodeCounts.length; g++) {
            for (int i = 0; i < nodeCounts[g]; i++) {
                this.nodeSlots[row++] = g * slotsPerGraph + i;
            }
        }
    }

    /**
     * Graphs in the batch.
     *
     * @return the number of graphs (examples), empty ones included
     */
    public int graphs() {
        return nodeSegments.count();
    }

    /**
     * Node features of all graphs, {@code [nodes, nodeFeatures]}.
     *
     * @return the stacked node features, graph by graph, in the packed rows' type
     */
    public INDArray nodeFeatures() {
        return nodeFeatures;
    }

    /**
     * Edge features of all graphs, {@code [edges, edgeFeatures]}, or null when edges carry no features.
     *
     * @return the stacked edge features, graph by graph, or null
     */
    public INDArray edgeFeatures() {
        return edgeFeatures;
    }

    /**
     * Row of the sending node of every edge (a copy).
     *
     * @return for each stacked edge, the row of its source in {@link #nodeFeatures()}
     */
    public int[] senders() {
        return senders.clone();
    }

    /**
     * Row of the receiving node of every edge (a copy).
     *
     * @return for each stacked edge, the row of its target in {@link #nodeFeatures()}
     */
    public int[] receivers() {
        return receivers.clone();
    }

    /**
     * Nodes per graph.
     *
     * @return one segment per graph over the rows of {@link #nodeFeatures()}
     */
    public RowSegments nodeSegments() {
        return nodeSegments;
    }

    /**
     * Edges per graph.
     *
     * @return one segment per graph over the stacked edges (empty for a graph without edges)
     */
    public RowSegments edgeSegments() {
        return edgeSegments;
    }

    /**
     * The position of every node in a graph-major layout with {@code slots} places per graph (graph g, node i at
     * {@code g * slots + i}), as used by per-node outputs padded to a fixed width.
     */
    int[] nodeSlots() {
        return nodeSlots;
    }

    int[] sendersView() {
        return senders;
    }

    int[] receiversView() {
        return receivers;
    }
}
