package io.kronlaplace.hyperopt.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.TokenPool;
import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.Aggregation;
import io.kronlaplace.nn.graph.Readout;
import io.kronlaplace.nn.models.WideResNet;
import org.junit.jupiter.api.Test;

/** Saved architectures rebuild the network they describe, for every model kind and for files without a kind. */
class ModelArchitectureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void vitArchitectureSurvivesJsonAndRebuildsTheSameNetwork() throws Exception {
        ModelArchitecture vit = ModelArchitecture.vit(new VitSizes(16, 4, 8, 1, 2, 2, TokenPool.Kind.MEAN), 5, 1);
        ModelArchitecture read = JSON.treeToValue(JSON.valueToTree(vit), ModelArchitecture.class);
        assertEquals(vit, read);
        assertEquals(ModelKind.VIT, read.kind());
        Network a = vit.build(3);
        Network b = read.build(3);
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        assertEquals(0, a.flatParameters().sub(b.flatParameters()).norm2Number().doubleValue(), 0.0);
        assertTrue(a.parameters().containsKey("block1.attn.main.attention.query.weight"));
        assertEquals(5, a.finalLinear().orElseThrow().outFeatures());
        assertTrue(read.describe().startsWith("ViT depth=1 width=8 heads=2 patch=4"), read.describe());
    }

    @Test
    void minimumParameterValuesIsALowerBoundForEveryKindAndRefusesOverflow() {
        ModelArchitecture vit = ModelArchitecture.vit(new VitSizes(16, 4, 8, 2, 2, 2, TokenPool.Kind.MEAN), 5, 1);
        ModelArchitecture wrn = new ModelArchitecture(10, 1, 10, 3, WideResNet.Variant.FIXUP);
        for (ModelArchitecture a : new ModelArchitecture[] {vit, wrn}) {
            long built = a.build(0).flatParameters().length();
            long bound = a.minimumParameterValues();
            assertTrue(bound > 0 && bound <= built, a.describe() + ": bound " + bound + ", parameters " + built);
        }
        ModelArchitecture huge = ModelArchitecture.vit(new VitSizes(16, 4, 1 << 30, 1 << 30, 1, 2,
                TokenPool.Kind.MEAN), 5, 1);
        assertThrows(IllegalArgumentException.class, huge::minimumParameterValues);
        assertThrows(IllegalArgumentException.class,
                () -> new ModelArchitecture(12, 1, 10, 3, WideResNet.Variant.FIXUP).minimumParameterValues());
    }

    @Test
    void graphNetworkArchitectureSurvivesJsonRebuildsTheSameNetworkAndBoundsItsSize() throws Exception {
        for (Readout readout : new Readout[] {Readout.NODE_MEAN, Readout.GLOBAL}) {
            ModelArchitecture gnn = ModelArchitecture.gnn(new GraphSizes(2, 3, 8, 2, 3, Aggregation.MEAN,
                    Activation.TANH, readout), 4);
            ModelArchitecture read = JSON.treeToValue(JSON.valueToTree(gnn), ModelArchitecture.class);
            assertEquals(gnn, read);
            assertEquals(ModelKind.GNN, read.kind());
            assertEquals(LikelihoodType.BINARY, read.likelihood());
            Network a = gnn.build(3);
            Network b = read.build(3);
            assertEquals(a.parameters().keySet(), b.parameters().keySet());
            assertEquals(0, a.flatParameters().sub(b.flatParameters()).norm2Number().doubleValue(), 0.0);
            assertEquals(4, a.finalLinear().orElseThrow().outFeatures());
            long built = a.flatParameters().length();
            long bound = gnn.minimumParameterValues();
            assertTrue(bound > 0 && bound <= built, gnn.describe() + ": bound " + bound + ", parameters " + built);
            assertEquals("GNN blocks=2 width=8 mlp=3 (MEAN, TANH, " + readout + ")", read.describe());
        }
        assertThrows(NullPointerException.class,
                () -> new ModelArchitecture(0, 0, 3, 0, null, ModelKind.GNN, null, null, null));
        IllegalArgumentException perNode = assertThrows(IllegalArgumentException.class, () -> new GraphSizes(2, 0,
                8, 2, 2, Aggregation.SUM, Activation.RELU, Readout.PER_NODE));
        assertTrue(perNode.getMessage().contains("per-graph readout"), perNode.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> new GraphSizes(2, 0,
                0, 2, 2, Aggregation.SUM, Activation.RELU, Readout.NODE_MEAN));
        assertTrue(width.getMessage().contains("width"), width.getMessage());
        assertEquals(LikelihoodType.CLASSIFICATION,
                new ModelArchitecture(10, 1, 10, 3, WideResNet.Variant.FIXUP).likelihood());
    }

    @Test
    void filesWrittenBeforeTheKindWasRecordedReadAsWideResNets() throws Exception {
        String legacy = "{\"depth\":10,\"widen\":1,\"classes\":10,\"inputChannels\":3,\"variant\":\"FIXUP\"}";
        ModelArchitecture read = JSON.readValue(legacy, ModelArchitecture.class);
        assertEquals(ModelKind.WRN, read.kind());
        assertEquals(new ModelArchitecture(10, 1, 10, 3, WideResNet.Variant.FIXUP), read);
        assertEquals("WRN-10-1 (FIXUP)", read.describe());
    }

    @Test
    void eachKindNeedsItsOwnFields() {
        assertThrows(NullPointerException.class, () -> new ModelArchitecture(0, 0, 10, 3, null, ModelKind.VIT, null));
        assertThrows(NullPointerException.class, () -> new ModelArchitecture(10, 1, 10, 3, null, ModelKind.WRN, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VitSizes(30, 8, 8, 1, 2, 2, TokenPool.Kind.MEAN));
        assertTrue(e.getMessage().contains("patch size"), e.getMessage());
    }
}
