package io.kronlaplace.hyperopt.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MLP and CNN architectures survive the model file's JSON, rebuild their network and bound its size. */
class LayerSizesArchitectureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mlpAndCnnSurviveJsonAndRebuildTheSameNetwork() throws Exception {
        for (ModelArchitecture a : List.of(ModelArchitecture.mlp(8, List.of(6, 5), 4, 2),
                ModelArchitecture.cnn(8, List.of(3, 4), List.of(5), 4, 2))) {
            ModelArchitecture read = JSON.treeToValue(JSON.valueToTree(a), ModelArchitecture.class);
            assertEquals(a, read);
            Network built = a.build(3);
            Network rebuilt = read.build(3);
            assertEquals(built.parameters().keySet(), rebuilt.parameters().keySet());
            assertEquals(0, built.flatParameters().sub(rebuilt.flatParameters()).norm2Number().doubleValue(), 0.0);
            assertEquals(4, built.finalLinear().orElseThrow().outFeatures());
        }
        assertEquals("CNN channels=[3, 4] hidden=[5]",
                ModelArchitecture.cnn(8, List.of(3, 4), List.of(5), 4, 2).describe());
    }

    @Test
    void filesWrittenBeforeLayerSizesReadWithoutThem() throws Exception {
        ObjectNode old = JSON.valueToTree(new ModelArchitecture(10, 1, 10, 3, WideResNet.Variant.FIXUP));
        old.remove("layers");
        ModelArchitecture read = JSON.treeToValue(old, ModelArchitecture.class);
        assertNull(read.layers());
        assertEquals(ModelKind.WRN, read.kind());
    }

    @Test
    void minimumParameterValuesIsTheWeightCountWithoutBiases() {
        // MLP 2*8*8=128 -> 6 -> 5 -> 4: 128*6 + 6*5 + 5*4 weights
        assertEquals(128 * 6 + 6 * 5 + 5 * 4, ModelArchitecture.mlp(8, List.of(6, 5), 4, 2).minimumParameterValues());
        // CNN: 9*2*3 + 9*3*4 convolution weights, 8 -> 4 -> 2 pixels, 4*2*2 -> 5 -> 4 dense weights
        ModelArchitecture cnn = ModelArchitecture.cnn(8, List.of(3, 4), List.of(5), 4, 2);
        assertEquals(9 * 2 * 3 + 9 * 3 * 4 + 16 * 5 + 5 * 4, cnn.minimumParameterValues());
        assertTrue(cnn.minimumParameterValues() <= cnn.build(0).numParameters());
        assertThrows(IllegalArgumentException.class, () -> ModelArchitecture.mlp(1 << 30, List.of(1 << 30), 4, 3)
                .minimumParameterValues());
    }

    @Test
    void badSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ModelArchitecture.cnn(8, List.of(), List.of(), 4, 2));
        assertThrows(IllegalArgumentException.class, () -> ModelArchitecture.mlp(8, List.of(0), 4, 2));
        assertThrows(NullPointerException.class,
                () -> new ModelArchitecture(0, 0, 4, 2, null, ModelKind.MLP, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> ModelArchitecture.vit(
                new VitSizes(16, 4, 8, 1, 2, 2, io.kronlaplace.nn.TokenPool.Kind.MEAN), 5, 1).torchNames());
    }
}
