package io.kronlaplace.validation.data;

import io.kronlaplace.nn.graph.Graph;
import io.kronlaplace.nn.graph.GraphRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graphs with multi-label binary targets (0, 1, or NaN for a missing label), as in ogbg-molpcba. The inputs are the
 * graphs packed one per row by {@link GraphRows#pack} (packed on demand, so a mini-batch's width follows its own
 * largest graph); the targets are {@code N x T} float64.
 */
public final class GraphDataset implements SupervisedDataset<GraphDataset> {
    private final String name;
    private final List<Graph> graphs;
    private final double[][] labels;
    private final DataType type;
    private INDArray packed;

    /**
     * Packs labelled graphs into a data set.
     *
     * @param name a short human-readable name (used in reports and error messages)
     * @param graphs graphs with the same feature sizes
     * @param labels one row of T labels per graph (0, 1 or NaN)
     * @param type   floating type of the packed inputs
     * @throws IllegalArgumentException on mismatched counts, feature sizes or label widths, or a label other than 0,
     *                                  1 or NaN
     */
    public GraphDataset(String name, List<Graph> graphs, double[][] labels, DataType type) {
        this.name = Objects.requireNonNull(name, "name");
        if (graphs.size() != labels.length) {
            throw new IllegalArgumentException(name + ": " + graphs.size() + " graphs but " + labels.length
                    + " label rows");
        }
        this.graphs = List.copyOf(graphs);
        this.labels = new double[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].length != labels[0].length) {
                throw new IllegalArgumentException(name + ": graph " + i + " has " + labels[i].length
                        + " labels, graph 0 has " + labels[0].length);
            }
            for (double v : labels[i]) {
                if (!(Double.isNaN(v) || v == 0 || v == 1)) {
                    throw new IllegalArgumentException(name + ": label " + v + " of graph " + i
                            + " is not 0, 1 or NaN");
                }
            }
            this.labels[i] = labels[i].clone();
        }
        for (Graph g : this.graphs) {
            if (g.nodeFeatures() != this.graphs.get(0).nodeFeatures()
                    || g.edgeFeatures() != this.graphs.get(0).edgeFeatures()) {
                throw new IllegalArgumentException(name + ": graphs have different feature sizes");
            }
        }
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return graphs.size();
    }

    /**
     * The graphs (unmodifiable).
     *
     * @return the graphs in data-set order
     */
    public List<Graph> graphs() {
        return graphs;
    }

    /**
     * Labels per graph T.
     *
     * @return the number T of labels per graph
     */
    public int tasks() {
        return labels.length == 0 ? 0 : labels[0].length;
    }

    /**
     * Features per node.
     *
     * @return the number of features of every node
     */
    public int nodeFeatures() {
        return graphs.isEmpty() ? 0 : graphs.get(0).nodeFeatures();
    }

    /**
     * Features per edge (0 for none).
     *
     * @return the number of features of every edge, 0 when edges carry none
     */
    public int edgeFeatures() {
        return graphs.isEmpty() ? 0 : graphs.get(0).edgeFeatures();
    }

    /** The graphs packed one per row (computed once; shared, do not modify). */
    @Override
    public synchronized INDArray inputs() {
        if (packed == null) {
            packed = GraphRows.pack(graphs, type);
        }
        return packed;
    }

    /** {@code N x T} labels, NaN where missing (a new array). */
    @Override
    public INDArray targets() {
        return Nd4j.createFromArray(labels).castTo(DataType.DOUBLE);
    }

    /**
     * The same graphs packed in another floating type.
     *
     * @param newType the floating type of the new packed inputs
     * @return a data set with the same name, graphs and labels
     */
    public GraphDataset castTo(DataType newType) {
        return new GraphDataset(name, graphs, labels, newType);
    }

    @Override
    public GraphDataset subset(int[] indices) {
        List<Graph> g = new ArrayList<>(indices.length);
        double[][] y = new double[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size()) {
                throw new IndexOutOfBoundsException(name + ": index " + indices[i] + " outside 0.." + (size() - 1));
            }
            g.add(graphs.get(indices[i]));
            y[i] = labels[indices[i]];
        }
        return new GraphDataset(name, g, y, type);
    }

    @Override
    public String toString() {
        return name + " [" + size() + " graphs, " + tasks() + " tasks] " + type + " "
                + Arrays.toString(new int[] {nodeFeatures(), edgeFeatures()});
    }
}
