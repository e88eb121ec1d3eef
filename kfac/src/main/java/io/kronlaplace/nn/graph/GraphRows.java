package io.kronlaplace.nn.graph;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graphs as the rows of one matrix, one graph per row, so that a batch of graphs is an ordinary network input whose
 * rows are the examples (split, shuffled and counted like any other batch). A row is
 * {@code [nodes, edges, nodeSlots, senders (edgeSlots), receivers (edgeSlots), node features (nodeSlots x Dn),
 * edge features (edgeSlots x De)]}: counts and local node indices are small integers, exact in float32 and float64;
 * unused slots are zero. The slot counts are the largest node and edge counts of the batch, so the width follows the
 * batch and {@code edgeSlots} is implied by the width. See docs/graph-networks.md, section "Batches".
 */
public final class GraphRows {
    private static final int HEADER = 3;

    private GraphRows() {
    }

    /**
     * Packs graphs with the same feature sizes into rows of the given floating type.
     *
     * @param graphs the graphs, one row each in list order; all with the same node and edge feature counts
     * @param type   the floating type of the result (float32 keeps counts and indices exact)
     * @return a new matrix {@code [graphs.size(), width]} in the layout described above, with as many node and edge
     *         slots as the largest graph of the list has nodes and edges
     * @throws IllegalArgumentException when the list is empty or the graphs' feature sizes differ
     */
    public static INDArray pack(List<Graph> graphs, DataType type) {
        if (graphs.isEmpty()) {
            throw new IllegalArgumentException("a graph batch needs at least one graph");
        }
        int dn = graphs.get(0).nodeFeatures();
        int de = graphs.get(0).edgeFeatures();
        int nodeSlots = 0;
        int edgeSlots = 0;
        for (Graph g : graphs) {
            if (g.nodeFeatures() != dn || g.edgeFeatures() != de) {
                throw new IllegalArgumentException("graphs of one batch need the same feature sizes: " + dn + "/" + de
                        + " vs " + g.nodeFeatures() + "/" + g.edgeFeatures());
            }
            nodeSlots = Math.max(nodeSlots, g.nodes());
            edgeSlots = Math.max(edgeSlots, g.edges());
        }
        int width = HEADER + 2 * edgeSlots + nodeSlots * dn + edgeSlots * de;
        double[] rows = new double[Math.multiplyExact(graphs.size(), width)];
        for (int r = 0; r < graphs.size(); r++) {
            Graph g = graphs.get(r);
            int base = r * width;
            rows[base] = g.nodes();
            rows[base + 1] = g.edges();
            rows[base + 2] = nodeSlots;
            int[] s = g.senders();
            int[] t = g.receivers();
            for (int k = 0; k < s.length; k++) {
                rows[base + HEADER + k] = s[k];
                rows[base + HEADER + edgeSlots + k] = t[k];
            }
            int nodeStart = base + HEADER + 2 * edgeSlots;
            System.arraycopy(g.nodeValues(), 0, rows, nodeStart, g.nodes() * dn);
            System.arraycopy(g.edgeValues(), 0, rows, nodeStart + nodeSlots * dn, g.edges() * de);
        }
        return Nd4j.createFromArray(rows).reshape(graphs.size(), width).castTo(type);
    }

    /**
     * The ragged batch of packed rows, features in the rows' type.
     *
     * @param packed       rows as produced by {@link #pack}, one graph each; at least one edge over all rows
     * @param nodeFeatures features per node Dn
     * @param edgeFeatures features per edge De (0 for none)
     * @return the graphs' nodes and edges stacked in row order, with the edges' end points as row indices into the
     *         stacked nodes
     * @throws IllegalArgumentException naming the row when a row is not a valid packed graph for these sizes, or when
     *                                  no row has an edge
     */
    public static GraphBatch unpack(INDArray packed, int nodeFeatures, int edgeFeatures) {
        if (packed.rank() != 2 || packed.size(0) < 1 || packed.size(1) < HEADER) {
            throw new IllegalArgumentException("packed graphs must be a matrix of at least one row of width >= "
                    + HEADER + ", got shape " + Arrays.toString(packed.shape()));
        }
        int graphs = (int) packed.size(0);
        int width = (int) packed.size(1);
        double[] v = packed.dup('c').reshape(packed.length()).toDoubleVector();
        int nodeSlots = count(v[2], "node slots", 0, width);
        int rest = width - HEADER - nodeSlots * nodeFeatures;
        if (rest < 0 || rest % (2 + edgeFeatures) != 0) {
            throw new IllegalArgumentException("packed graph rows of width " + width + " with " + nodeSlots
                    + " node slots do not fit " + nodeFeatures + " node and " + edgeFeatures + " edge features");
        }
        int edgeSlots = rest / (2 + edgeFeatures);
        int[] nodeCounts = new int[graphs];
        int[] edgeCounts = new int[graphs];
        int totalNodes = 0;
        int totalEdges = 0;
        for (int r = 0; r < graphs; r++) {
            int base = r * width;
            if (count(v[base + 2], "node slots", 0, width) != nodeSlots) {
                throw new IllegalArgumentException("packed graph row " + r + " has " + v[base + 2]
                        + " node slots, row 0 has " + nodeSlots);
            }
            nodeCounts[r] = count(v[base], "nodes of row " + r, 1, nodeSlots);
            edgeCounts[r] = count(v[base + 1], "edges of row " + r, 0, edgeSlots);
            totalNodes += nodeCounts[r];
            totalEdges += edgeCounts[r];
        }
        if (totalEdges == 0) {
            throw new IllegalArgumentException("a batch of packed graphs needs at least one edge in all (message"
                    + " passing has nothing to pass otherwise); add an edgeless graph to a batch with edges");
        }
        double[] nodes = new double[totalNodes * nodeFeatures];
        double[] edges = new double[totalEdges * edgeFeatures];
        int[] senders = new int[totalEdges];
        int[] receivers = new int[totalEdges];
        int nodeRow = 0;
        int edgeRow = 0;
        for (int r = 0; r < graphs; r++) {
            int base = r * width;
            int nodeStart = base + HEADER + 2 * edgeSlots;
            System.arraycopy(v, nodeStart, nodes, nodeRow * nodeFeatures, nodeCounts[r] * nodeFeatures);
            System.arraycopy(v, nodeStart + nodeSlots * nodeFeatures, edges, edgeRow * edgeFeatures,
                    edgeCounts[r] * edgeFeatures);
            for (int k = 0; k < edgeCounts[r]; k++) {
                senders[edgeRow + k] = nodeRow + count(v[base + HEADER + k], "sender of row " + r, 0,
                        nodeCounts[r] - 1);
                receivers[edgeRow + k] = nodeRow + count(v[base + HEADER + edgeSlots + k], "receiver of row " + r,
                        0, nodeCounts[r] - 1);
            }
            nodeRow += nodeCounts[r];
            edgeRow += edgeCounts[r];
        }
        DataType type = packed.dataType();
        INDArray nodeArray = Nd4j.createFromArray(nodes).reshape(totalNodes, nodeFeatures).castTo(type);
        INDArray edgeArray = edgeFeatures == 0 ? null
                : Nd4j.createFromArray(edges).reshape(totalEdges, edgeFeatures).castTo(type);
        return new GraphBatch(nodeArray, edgeArray, senders, receivers, nodeCounts, edgeCounts, nodeSlots);
    }

    /**
     * The gradient w.r.t. packed rows of {@code copies} copy-major blocks of node and edge feature gradients: the
     * features' slots hold their gradients, counts and indices (which the network output does not vary with) zero.
     *
     * @param nodeGradients {@code [copies * nodes, Dn]}
     * @param edgeGradients {@code [copies * edges, De]}, or null without edge features
     * @param like          the packed input the gradients belong to
     */
    static INDArray packGradients(INDArray nodeGradients, INDArray edgeGradients, int copies, GraphBatch batch,
                                  INDArray like) {
        int graphs = batch.graphs();
        int width = (int) like.size(1);
        int dn = (int) nodeGradients.size(1);
        int de = edgeGradients == null ? 0 : (int) edgeGradients.size(1);
        int nodeSlots = (int) Math.round(like.getDouble(0, 2));
        int edgeSlots = (width - HEADER - nodeSlots * dn) / (2 + de);
        double[] out = new double[Math.multiplyExact(copies * graphs, width)];
        double[] gn = nodeGradients.dup('c').reshape(nodeGradients.length()).toDoubleVector();
        double[] ge = edgeGradients == null ? new double[0]
                : edgeGradients.dup('c').reshape(edgeGradients.length()).toDoubleVector();
        int totalNodes = batch.nodeSegments().rows();
        int totalEdges = batch.edgeSegments().rows();
        for (int c = 0; c < copies; c++) {
            int nodeRow = 0;
            int edgeRow = 0;
            for (int g = 0; g < graphs; g++) {
                int base = (c * graphs + g) * width + HEADER + 2 * edgeSlots;
                int n = batch.nodeSegments().length(g);
                int e = batch.edgeSegments().length(g);
                System.arraycopy(gn, (c * totalNodes + nodeRow) * dn, out, base, n * dn);
                if (de > 0) {
                    System.arraycopy(ge, (c * totalEdges + edgeRow) * de, out, base + nodeSlots * dn, e * de);
                }
                nodeRow += n;
                edgeRow += e;
            }
        }
        return Nd4j.createFromArray(out).reshape((long) copies * graphs, width).castTo(like.dataType());
    }

    private static int count(double value, String what, int min, int max) {
        long rounded = Math.round(value);
        if (Math.abs(value - rounded) > 1e-3 || rounded < min || rounded > max) {
            throw new IllegalArgumentException("packed graph " + what + " is " + value + ", expected an integer in ["
                    + min + ", " + max + "]");
        }
        return (int) rounded;
    }
}
