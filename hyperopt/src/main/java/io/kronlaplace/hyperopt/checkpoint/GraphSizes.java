package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.Aggregation;
import io.kronlaplace.nn.graph.GraphNetwork;
import io.kronlaplace.nn.graph.Readout;
import java.util.Objects;

/**
 * The sizes of a graph network, as a saved model records them (see {@link GraphNetwork} and docs/graph-networks.md,
 * section Blocks, for their meaning); the feature sizes come from the data it was trained on.
 *
 * @param nodeFeatures features per input node, >= 1
 * @param edgeFeatures features per input edge, >= 0 (0 for none)
 * @param width        width of every update MLP layer
 * @param blocks       graph-network blocks
 * @param mlpLayers    weight layers per update MLP
 * @param aggregation  message and readout aggregation
 * @param activation   nonlinearity after every MLP layer
 * @param readout      graph features the head sees: NODE_MEAN or GLOBAL (one prediction per graph)
 */
public record GraphSizes(int nodeFeatures, int edgeFeatures, int width, int blocks, int mlpLayers,
                         Aggregation aggregation, Activation activation, Readout readout)
        implements java.io.Serializable {
    /**
     * Checks the sizes with the builder's own checks and messages; PER_NODE readouts predict nodes, not graphs.
     *
     * @param nodeFeatures features per input node, &gt;= 1
     * @param edgeFeatures features per input edge, &gt;= 0 (0 for none)
     * @param width        width of every update MLP layer
     * @param blocks       graph-network blocks
     * @param mlpLayers    weight layers per update MLP
     * @param aggregation  message and readout aggregation, not null
     * @param activation   nonlinearity after every MLP layer, not null
     * @param readout      NODE_MEAN or GLOBAL, not null
     * @throws NullPointerException     when the aggregation, activation or readout is null
     * @throws IllegalArgumentException for a PER_NODE readout or sizes {@link GraphNetwork.Builder} rejects
     */
    public GraphSizes {
        Objects.requireNonNull(aggregation, "aggregation");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(readout, "readout");
        if (readout == Readout.PER_NODE) {
            throw new IllegalArgumentException("graph labels need a per-graph readout (NODE_MEAN or GLOBAL), got "
                    + readout);
        }
        configure(GraphNetwork.builder(), nodeFeatures, edgeFeatures, width, blocks, mlpLayers, aggregation,
                activation, readout);
    }

    /**
     * A builder with these sizes.
     *
     * @return a new builder; outputs, seed and data type are the caller's to set
     */
    public GraphNetwork.Builder builder() {
        return configure(GraphNetwork.builder(), nodeFeatures, edgeFeatures, width, blocks, mlpLayers, aggregation,
                activation, readout);
    }

    /**
     * A lower bound on the weight values of the blocks: per block, the edge MLP's layers after the first (width x
     * width each) and all node-MLP layers (the first reads the aggregated messages, width of them, and more).
     */
    long minimumBlockValues() {
        long square = Math.multiplyExact((long) width, width);
        return Math.multiplyExact(Math.multiplyExact(square, 2L * mlpLayers - 1), (long) blocks);
    }

    private static GraphNetwork.Builder configure(GraphNetwork.Builder b, int nodeFeatures, int edgeFeatures,
                                                  int width, int blocks, int mlpLayers, Aggregation aggregation,
                                                  Activation activation, Readout readout) {
        return b.nodeFeatures(nodeFeatures).edgeFeatures(edgeFeatures).width(width).blocks(blocks)
                .mlpLayers(mlpLayers).aggregation(aggregation).activation(activation).readout(readout);
    }
}
