package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.GraphSizes;
import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.Aggregation;
import io.kronlaplace.nn.graph.Readout;
import picocli.CommandLine.Option;

/** The sizes of a graph network ({@code --model-kind GNN}); the feature sizes come from the data. */
public final class GraphOptions {
    @Option(names = "--gnn-width", paramLabel = "W", defaultValue = "32",
            description = "Graph network: width of every update MLP layer (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--gnn-blocks", paramLabel = "L", defaultValue = "3",
            description = "Graph network: message-passing blocks (default: ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--gnn-mlp-layers", paramLabel = "N", defaultValue = "2",
            description = "Graph network: weight layers per update MLP (default: ${DEFAULT-VALUE}).")
    int mlpLayers;

    @Option(names = "--gnn-aggregation", paramLabel = "AGG", defaultValue = "SUM",
            description = "Graph network: SUM or MEAN aggregation of messages and nodes (default: ${DEFAULT-VALUE}).")
    Aggregation aggregation;

    @Option(names = "--gnn-activation", paramLabel = "ACT", defaultValue = "RELU",
            description = "Graph network: RELU, TANH or IDENTITY after every MLP layer (default: ${DEFAULT-VALUE}).")
    Activation activation;

    @Option(names = "--gnn-readout", paramLabel = "R", defaultValue = "NODE_MEAN",
            description = "Graph network: head input NODE_MEAN (mean of the last node features) or GLOBAL (the last "
                    + "global features) (default: ${DEFAULT-VALUE}).")
    Readout readout;

    /**
     * The graph network's sizes for the data's graphs.
     *
     * @param nodeFeatures features per node of the data, &gt;= 1
     * @param edgeFeatures features per edge of the data, &gt;= 0 (0 for none)
     * @return the sizes given by the options
     * @throws IllegalArgumentException naming the size that does not fit, or for a PER_NODE readout
     */
    public GraphSizes sizes(int nodeFeatures, int edgeFeatures) {
        return new GraphSizes(nodeFeatures, edgeFeatures, width, blocks, mlpLayers, aggregation, activation, readout);
    }
}
