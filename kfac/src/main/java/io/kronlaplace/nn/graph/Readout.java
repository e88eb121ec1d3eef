package io.kronlaplace.nn.graph;

/** What a graph network outputs for each graph. */
public enum Readout {
    /** A linear head on every node, averaged over the graph's nodes: {@code [graphs, outputs]}. */
    NODE_MEAN,
    /**
     * A linear head on every node, the graph's nodes side by side in a fixed number of slots (zero in unused ones):
     * {@code [graphs, nodeSlots * outputs]}, for per-node targets.
     */
    PER_NODE,
    /** A linear head on the global features of the last block: {@code [graphs, outputs]}. */
    GLOBAL
}
