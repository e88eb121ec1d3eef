package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.GraphNetwork;
import io.kronlaplace.nn.graph.GraphRows;
import io.kronlaplace.nn.graph.Readout;
import io.kronlaplace.nn.graph.TestGraphs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * K-FAC on deep linear graph networks over a batch of graphs of 3, 4 and 1 nodes, against the dense GGN from
 * finite-difference Jacobians (float64): with per-node loss terms (PER_NODE readout, MSE) EXPAND is exact and REDUCE
 * is not; with a per-graph mean-pooled readout before MSE (NODE_MEAN) REDUCE, averaging inputs over each graph's own
 * nodes, is exact and EXPAND is not. Both statements hold for the layers that act node-wise after the last message
 * aggregation: the last block's node update and the node-wise head of PER_NODE; the NODE_MEAN head acts on one
 * pooled row per graph, where both flavours are exact (docs/graph-networks.md, section "Exactness").
 */
class GraphNetworkKfacTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Readout.class, names = {"PER_NODE", "NODE_MEAN"})
    void kfacIsExactInItsOwnSettingOnly(Readout readout) {
        Network net = GraphNetwork.builder().nodeFeatures(2).edgeFeatures(1).width(2).mlpLayers(2).blocks(2)
                .activation(Activation.IDENTITY).readout(readout).outputs(2).seed(21).dataType(DataType.DOUBLE)
                .build();
        INDArray x = GraphRows.pack(TestGraphs.mixed(2, 1, 22), DataType.DOUBLE);
        INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
        KfacFlavour exact = readout == Readout.PER_NODE ? KfacFlavour.EXPAND : KfacFlavour.REDUCE;
        KfacFlavour other = exact == KfacFlavour.EXPAND ? KfacFlavour.REDUCE : KfacFlavour.EXPAND;
        Map<String, KronFactors> good = factors(net, x, exact);
        Map<String, KronFactors> bad = factors(net, x, other);
        List<WeightLayer> nodeWise = net.weightLayers().stream()
                .filter(l -> l.path().contains("block1.node") || l.path().equals("head")).toList();
        assertEquals(3, nodeWise.size());
        for (WeightLayer layer : nodeWise) {
            double e = WeightLayerContractTest.layerError(net, good, ggn, layer);
            assertTrue(e < 1e-7, exact + " layer " + layer.path() + ": " + e);
            double o = WeightLayerContractTest.layerError(net, bad, ggn, layer);
            if (layer.rowSegments(inputOf(net, x, layer)) == null) {
                // the pooled readout's head sees one pooled row per graph: both flavours coincide
                assertTrue(o < 1e-7, other + " on one position per graph must also be exact: " + o);
            } else {
                assertTrue(o > 1e-2, other + " must not be exact, layer " + layer.path() + ": " + o);
            }
        }
    }

    /** The layer's input in a forward pass of {@code x}, read through the curvature tap. */
    private static INDArray inputOf(Network net, INDArray x, WeightLayer layer) {
        INDArray[] seen = new INDArray[1];
        INDArray out = net.forward(x, io.kronlaplace.nn.Mode.EVAL);
        net.backward(out.mul(0), io.kronlaplace.nn.BackwardContext.curvature(1, (l, in, g, c) -> {
            if (l == layer) {
                seen[0] = in;
            }
        }));
        return seen[0];
    }

    private static Map<String, KronFactors> factors(Network net, INDArray x, KfacFlavour flavour) {
        KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0), KfacOptions.builder().flavour(flavour).build());
        est.accumulate(x, null);
        assertEquals(x.size(0), est.examplesSeen(), "the graphs are the examples");
        return est.factors();
    }
}
