package io.kronlaplace.nn.graph;

/** What a graph network outputs for each graph. */
public enum Readout {
    /** The mean of the last node features over the graph's nodes, then a linear head: {@code [graphs, outputs]}. */
    NODE_MEAN,
    /**
     * A linear head on every node, the graph's nodes side by side in a fixed number of slots (zero in unused ones):
     * {@code [graphs, nodeSlots * outputs]}, for per-node targets.
     */
    PER_NODE,
    /** The global features of the last block, then a linear head: {@code [graphs, outputs]}. */
    GLOBAL
}
