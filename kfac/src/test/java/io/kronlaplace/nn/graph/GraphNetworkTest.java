package io.kronlaplace.nn.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.GradientCheck;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.SegmentLinear;
import io.kronlaplace.nn.WeightLayer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graph networks in float64: packing graphs into rows and back, gradients of every parameter and of the input
 * features against central finite differences for each readout and aggregation (with and without edge features and
 * globals), several back-propagated vectors per graph, float32 agreement, and a forward pass recomputed by hand.
 */
class GraphNetworkTest {

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of(Readout.NODE_MEAN, Aggregation.SUM, 2, true),
                Arguments.of(Readout.NODE_MEAN, Aggregation.MEAN, 0, true),
                Arguments.of(Readout.GLOBAL, Aggregation.MEAN, 2, true),
                Arguments.of(Readout.PER_NODE, Aggregation.SUM, 2, false),
                Arguments.of(Readout.GLOBAL, Aggregation.SUM, 0, true));
    }

    private static Network network(Readout readout, Aggregation aggregation, int edgeFeatures, boolean globals,
                                        Activation activation) {
        return GraphNetwork.builder().nodeFeatures(2).edgeFeatures(edgeFeatures).width(3).mlpLayers(2).blocks(2)
                .aggregation(aggregation).activation(activation).globalUpdates(globals).readout(readout).outputs(2)
                .seed(5).dataType(DataType.DOUBLE).build();
    }

    private static void randomizeBiases(Network net) {
        long seed = 40;
        for (Parameter p : net.parameters().values()) {
            if (p.kind() == Parameter.Kind.BIAS) {
                p.value().assign(GradientCheck.random(seed++, p.value().shape()).muli(0.5));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} edgeFeatures={2} globals={3}")
    @MethodSource("configurations")
    void gradientsMatchFiniteDifferences(Readout readout, Aggregation aggregation, int edgeFeatures, boolean globals) {
        Network net = network(readout, aggregation, edgeFeatures, globals, Activation.TANH);
        randomizeBiases(net);
        INDArray x = GraphRows.pack(TestGraphs.mixed(2, edgeFeatures, 3), DataType.DOUBLE);
        GradientCheck.check(net.root(), x, Mode.TRAIN, 1e-6);
    }

    @ParameterizedTest(name = "{0} {1} edgeFeatures={2} globals={3}")
    @MethodSource("configurations")
    void severalVectorsPerGraphEqualSeparatePasses(Readout readout, Aggregation aggregation, int edgeFeatures,
                                                   boolean globals) {
        Network net = network(readout, aggregation, edgeFeatures, globals, Activation.RELU);
        GradientCheck.checkCopies(net.root(), GraphRows.pack(TestGraphs.mixed(2, edgeFeatures, 6), DataType.DOUBLE),
                Mode.EVAL, 3, 1e-12);
    }

    @Test
    void float32AgreesWithFloat64() {
        Network net = network(Readout.GLOBAL, Aggregation.SUM, 2, true, Activation.RELU);
        GradientCheck.checkFloat32Agrees(net.root(), GraphRows.pack(TestGraphs.mixed(2, 2, 8), DataType.DOUBLE),
                Mode.TRAIN);
    }

    @Test
    void packedRowsRoundTrip() {
        List<Graph> graphs = TestGraphs.mixed(2, 3, 9);
        INDArray packed = GraphRows.pack(graphs, DataType.FLOAT);
        assertEquals(3, packed.size(0));
        GraphBatch b = GraphRows.unpack(packed, 2, 3);
        assertEquals(3, b.graphs());
        assertEquals(8, b.nodeSegments().rows());
        assertEquals(9, b.edgeSegments().rows());
        assertArrayEquals(new int[] {0, 1, 1, 2, 3, 4, 5, 4, 6}, b.senders());
        assertArrayEquals(new int[] {1, 0, 2, 0, 4, 5, 4, 6, 6}, b.receivers());
        assertEquals(DataType.FLOAT, b.nodeFeatures().dataType());
        double[] expected = graphs.get(1).nodeValues();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(expected[i * 2 + j], b.nodeFeatures().getDouble(3 + i, j), 1e-6);
            }
        }
        assertEquals(graphs.get(1).edgeValues()[4 * 3 + 2], b.edgeFeatures().getDouble(4 + 4, 2), 1e-6);
    }

    @Test
    void corruptRowsAndMismatchedSizesAreRejected() {
        INDArray packed = GraphRows.pack(TestGraphs.mixed(2, 0, 9), DataType.DOUBLE);
        IllegalArgumentException wrongFeatures = assertThrows(IllegalArgumentException.class,
                () -> GraphRows.unpack(packed, 3, 0));
        assertTrue(wrongFeatures.getMessage().contains("packed graph"), wrongFeatures.getMessage());
        INDArray badSender = packed.dup();
        badSender.putScalar(0, 3, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphRows.unpack(badSender, 2, 0));
        assertTrue(e.getMessage().contains("sender of row 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphRows.pack(List.of(TestGraphs.graph(2,
                new int[][] {{0, 1}}, 2, 0, 1), TestGraphs.graph(2, new int[][] {{0, 1}}, 3, 0, 1)), DataType.FLOAT));
        assertThrows(IllegalArgumentException.class, () -> TestGraphs.graph(2, new int[][] {{0, 2}}, 1, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> GraphRows.unpack(GraphRows.pack(List.of(TestGraphs.graph(2, new int[0][], 1, 0, 1)),
                        DataType.DOUBLE), 1, 0));
    }

    /**
     * One linear block (sum aggregation, no globals, one layer per update, no bias) and a NODE_MEAN readout recomputed
     * with explicit loops over the edges: e' = We [v_s, v_r], v' = Wv [v, sum_{k: r_k = i} e'_k], out = H mean_i v'_i.
     */
    @Test
    void forwardMatchesAHandWrittenMessagePass() {
        Network network = GraphNetwork.builder().nodeFeatures(2).width(3).mlpLayers(1).blocks(1)
                .activation(Activation.IDENTITY).globalUpdates(false).outputs(2).bias(false).seed(11)
                .dataType(DataType.DOUBLE).build();
        List<WeightLayer> layers = network.weightLayers();
        assertEquals(3, layers.size());
        assertTrue(layers.get(0) instanceof SegmentLinear && layers.get(1) instanceof SegmentLinear);
        assertEquals("head", network.finalLinear().orElseThrow().path(), "a pooled readout ends in a Linear head");
        INDArray we = layers.get(0).weight().value();
        INDArray wv = layers.get(1).weight().value();
        INDArray h = layers.get(2).weight().value();
        List<Graph> graphs = TestGraphs.mixed(2, 0, 12);
        INDArray out = network.forward(GraphRows.pack(graphs, DataType.DOUBLE), Mode.EVAL);
        for (int g = 0; g < graphs.size(); g++) {
            Graph graph = graphs.get(g);
            INDArray v = Nd4j.createFromArray(graph.nodeValues()).reshape(graph.nodes(), 2);
            INDArray incoming = Nd4j.zeros(DataType.DOUBLE, graph.nodes(), 3);
            for (int k = 0; k < graph.edges(); k++) {
                INDArray msg = we.mmul(Nd4j.concat(0, v.getRow(graph.senders()[k]),
                        v.getRow(graph.receivers()[k])).reshape(4, 1));
                incoming.getRow(graph.receivers()[k]).addi(msg.reshape(3));
            }
            INDArray mean = Nd4j.zeros(DataType.DOUBLE, 2);
            for (int i = 0; i < graph.nodes(); i++) {
                INDArray node = wv.mmul(Nd4j.concat(0, v.getRow(i), incoming.getRow(i)).reshape(5, 1));
                mean.addi(h.mmul(node).reshape(2).divi(graph.nodes()));
            }
            assertTrue(GradientCheck.relativeError(out.getRow(g), mean) < 1e-12, "graph " + g);
        }
    }
}
