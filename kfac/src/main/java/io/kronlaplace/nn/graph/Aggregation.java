package io.kronlaplace.nn.graph;

/** How a graph network combines the messages arriving at one node, or the nodes and edges of one graph. */
public enum Aggregation {
    /** The sum of the messages (zero for none). */
    SUM,
    /** The mean of the messages (zero for none). */
    MEAN
}
