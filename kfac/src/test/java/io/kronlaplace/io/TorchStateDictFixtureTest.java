package io.kronlaplace.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.ConvNet;
import io.kronlaplace.nn.models.Mlp;
import io.kronlaplace.nn.models.WideResNet;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weights trained elsewhere give PyTorch's logits: the fixture (written by kfac/src/test/python/
 * make_safetensors_fixture.py with PyTorch) holds small models' state_dicts, inputs and PyTorch's float32 logits.
 */
class TorchStateDictFixtureTest {
    /** float32 agreement, relative to the largest logit. */
    private static final double TOLERANCE = 1e-5;

    private static final Map<String, Supplier<Network>> MODELS = Map.of(
            "wrn_bn", () -> WideResNet.builder().depth(10).widen(1).classes(10).inputChannels(3)
                    .variant(WideResNet.Variant.BATCHNORM).build(),
            "wrn_fixup", () -> WideResNet.builder().depth(10).widen(1).classes(10).inputChannels(3)
                    .variant(WideResNet.Variant.FIXUP).build(),
            "mlp", () -> Mlp.builder().inputs(3 * 8 * 8).hidden(16, 12).classes(10).build(),
            "cnn", () -> ConvNet.builder().inputChannels(3).imageSize(8).channels(4, 8).hidden(16).classes(10).build());

    private static Path fixture(String name) throws Exception {
        return Path.of(TorchStateDictFixtureTest.class.getResource("pytorch/" + name + ".safetensors").toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrn_bn", "wrn_fixup", "mlp", "cnn", "mlp_f16", "cnn_bf16"})
    void importedWeightsGivePyTorchsLogits(String model) throws Exception {
        String family = model.replaceAll("_(f16|bf16)$", "");
        Network network = MODELS.get(family).get();
        TorchNames names = family.startsWith("wrn") ? TorchNames.wideResNet() : TorchNames.sequential();
        TorchStateDict.load(network, fixture(model), names);
        SafetensorsContent io = SafetensorsFile.read(fixture("logits"));
        INDArray x = io.tensors().get("x").toINDArray(DataType.FLOAT);
        INDArray expected = io.tensors().get(model).toINDArray(DataType.FLOAT);
        INDArray logits = network.forward(x, Mode.EVAL);
        assertArrayEquals(expected.shape(), logits.shape());
        double scale = expected.amaxNumber().doubleValue();
        double difference = logits.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue();
        System.out.printf("%s: max |logit - PyTorch| = %.3g (largest |logit| %.3g, relative %.3g)%n", model,
                difference, scale, difference / scale);
        assertTrue(difference <= TOLERANCE * scale, model + ": max difference " + difference + " for logits up to "
                + scale);
    }

    /**
     * Exporting the imported network gives PyTorch's own file back: the same keys in the same order with the same
     * shapes and dtypes (so {@code load_state_dict(strict=True)} accepts it) and the same bytes for every float32
     * tensor; only the batch counters differ (this library does not count batches and writes 0).
     */
    @ParameterizedTest
    @ValueSource(strings = {"wrn_bn", "wrn_fixup", "mlp", "cnn"})
    void exportReproducesPyTorchsStateDict(String model) throws Exception {
        Network network = MODELS.get(model).get();
        TorchNames names = model.startsWith("wrn") ? TorchNames.wideResNet() : TorchNames.sequential();
        SafetensorsContent pytorch = SafetensorsFile.read(fixture(model));
        TorchStateDict.load(network, pytorch, names, model);
        Map<String, SafetensorsTensor> exported = TorchStateDict.toContent(network, names).tensors();
        assertEquals(java.util.Set.copyOf(pytorch.tensors().keySet()), exported.keySet());
        for (SafetensorsTensor want : pytorch.tensors().values()) {
            SafetensorsTensor got = exported.get(want.name());
            assertEquals(want.dtype(), got.dtype(), want.name());
            assertArrayEquals(want.shape(), got.shape(), want.name());
            if (want.dtype() == SafetensorsDtype.I64) {
                assertArrayEquals(new long[] {0}, got.toLongs(), want.name());
            } else {
                assertArrayEquals(want.bytes(), got.bytes(), want.name());
            }
        }
    }
}
