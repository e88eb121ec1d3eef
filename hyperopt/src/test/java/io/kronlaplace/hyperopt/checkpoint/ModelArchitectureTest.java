package io.kronlaplace.hyperopt.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.TokenPool;
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
