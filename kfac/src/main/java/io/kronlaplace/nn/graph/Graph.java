package io.kronlaplace.nn.graph;

import java.util.Arrays;

/**
 * One directed graph with node and edge features: edge k goes from node {@code senders[k]} to node
 * {@code receivers[k]} (local indices); an undirected bond is two edges. Features are row-major, one row per node
 * ({@code nodeFeatures} values each) or per edge ({@code edgeFeatures} values each, possibly none).
 *
 * @param nodes        number of nodes (at least one)
 * @param nodeValues   {@code nodes * nodeFeatures} values
 * @param edgeValues   {@code edges * edgeFeatures} values
 * @param senders      source node of each edge
 * @param receivers    target node of each edge
 * @param nodeFeatures features per node (at least one)
 * @param edgeFeatures features per edge (zero for none)
 */
public record Graph(int nodes, double[] nodeValues, double[] edgeValues, int[] senders, int[] receivers,
                    int nodeFeatures, int edgeFeatures) {

    /**
     * Checks the graph and copies the arrays, so that later changes to the caller's arrays do not reach it.
     *
     * @param nodes        number of nodes (at least one)
     * @param nodeValues   {@code nodes * nodeFeatures} finite values, row-major by node
     * @param edgeValues   {@code edges * edgeFeatures} finite values, row-major by edge (empty when
     *                     {@code edgeFeatures} is zero)
     * @param senders      source node of each edge, in {@code [0, nodes)}
     * @param receivers    target node of each edge, in {@code [0, nodes)}, as many as senders
     * @param nodeFeatures features per node (at least one)
     * @param edgeFeatures features per edge (zero for none)
     * @throws IllegalArgumentException when sizes disagree, an edge names a node outside the graph or a feature is
     *                                  not finite
     */
    public Graph {
        if (nodes < 1 || nodeFeatures < 1 || edgeFeatures < 0) {
            throw new IllegalArgumentException("a graph needs at least one node and one node feature, got nodes="
                    + nodes + ", nodeFeatures=" + nodeFeatures + ", edgeFeatures=" + edgeFeatures);
        }
        if (senders.length != receivers.length) {
            throw new IllegalArgumentException(senders.length + " senders but " + receivers.length + " receivers");
        }
        if (nodeValues.length != (long) nodes * nodeFeatures) {
            throw new IllegalArgumentException(nodeValues.length + " node values for " + nodes + " nodes x "
                    + nodeFeatures + " features");
        }
        if (edgeValues.length != (long) senders.length * edgeFeatures) {
            throw new IllegalArgumentException(edgeValues.length + " edge values for " + senders.length + " edges x "
                    + edgeFeatures + " features");
        }
        for (int k = 0; k < senders.length; k++) {
            if (senders[k] < 0 || senders[k] >= nodes || receivers[k] < 0 || receivers[k] >= nodes) {
                throw new IllegalArgumentException("edge " + k + " (" + senders[k] + " -> " + receivers[k]
                        + ") names a node outside [0, " + nodes + ")");
            }
        }
        for (double[] values : new double[][] {nodeValues, edgeValues}) {
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("graph features must be finite, got " + v);
                }
            }
        }
        nodeValues = nodeValues.clone();
        edgeValues = edgeValues.clone();
        senders = senders.clone();
        receivers = receivers.clone();
    }

    /**
     * Number of edges.
     *
     * @return the length of {@link #senders()}, zero for a graph without edges
     */
    public int edges() {
        return senders.length;
    }

    /**
     * The node features.
     *
     * @return a copy of the {@code nodes * nodeFeatures} values, row-major by node
     */
    @Override
    public double[] nodeValues() {
        return nodeValues.clone();
    }

    /**
     * The edge features.
     *
     * @return a copy of the {@code edges * edgeFeatures} values, row-major by edge
     */
    @Override
    public double[] edgeValues() {
        return edgeValues.clone();
    }

    /**
     * The source node of each edge.
     *
     * @return a copy of the local node indices, one per edge
     */
    @Override
    public int[] senders() {
        return senders.clone();
    }

    /**
     * The target node of each edge.
     *
     * @return a copy of the local node indices, one per edge
     */
    @Override
    public int[] receivers() {
        return receivers.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Graph g && nodes == g.nodes && nodeFeatures == g.nodeFeatures
                && edgeFeatures == g.edgeFeatures && Arrays.equals(nodeValues, g.nodeValues)
                && Arrays.equals(edgeValues, g.edgeValues) && Arrays.equals(senders, g.senders)
                && Arrays.equals(receivers, g.receivers);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(senders) + Arrays.hashCode(nodeValues);
    }

    @Override
    public String toString() {
        return "Graph[nodes=" + nodes + ", edges=" + edges() + "]";
    }
}
