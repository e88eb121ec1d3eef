package io.kronlaplace.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.ConvNet;
import io.kronlaplace.nn.models.Mlp;
import io.kronlaplace.nn.models.WideResNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TorchStateDictTest {
    @TempDir
    Path dir;

    private static Network wrn(WideResNet.Variant variant, long seed) {
        return WideResNet.builder().depth(10).widen(1).classes(3).inputChannels(2).variant(variant).seed(seed)
                .build();
    }

    /** Every parameter and buffer gets distinct non-trivial values (Fixup starts with zeros, BatchNorm with ones). */
    private static Network randomised(Network network, long seed) {
        var random = new java.util.Random(seed);
        List<INDArray> all = new ArrayList<>();
        network.parameters().values().forEach(p -> all.add(p.value()));
        all.addAll(network.buffers().values());
        for (INDArray a : all) {
            double[] v = new double[(int) a.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = 0.5 + random.nextGaussian();
            }
            a.assign(Nd4j.createFromArray(v).castTo(a.dataType()).reshape(a.shape()));
        }
        return network;
    }

    private static Map<String, INDArray> snapshot(Network network) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        network.parameters().forEach((k, p) -> out.put(k, p.value().dup()));
        network.buffers().forEach((k, b) -> out.put(k, b.dup()));
        return out;
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }

    @Test
    void wideResNetNamesAreThoseOfTheCommonPyTorchImplementation() {
        TorchNames names = TorchNames.wideResNet();
        List<String> bn = new ArrayList<>();
        Network batchNorm = wrn(WideResNet.Variant.BATCHNORM, 0);
        batchNorm.parameters().keySet().forEach(k -> bn.add(names.torchName(k)));
        batchNorm.buffers().keySet().forEach(k -> bn.add(names.torchName(k)));
        assertTrue(bn.containsAll(List.of("conv1.weight", "block1.layer.0.bn1.weight", "block1.layer.0.conv1.weight",
                "block1.layer.0.bn2.running_var", "block1.layer.0.conv2.weight", "block2.layer.0.bn1.bias",
                "block2.layer.0.convShortcut.weight", "block3.layer.0.conv2.weight", "bn1.weight", "bn1.running_mean",
                "fc.weight", "fc.bias")), bn.toString());
        List<String> fixup = new ArrayList<>();
        wrn(WideResNet.Variant.FIXUP, 0).parameters().keySet().forEach(k -> fixup.add(names.torchName(k)));
        assertTrue(fixup.containsAll(List.of("conv1.weight", "bias1.bias", "block1.layer.0.bias1.bias",
                "block1.layer.0.bias2.bias", "block1.layer.0.bias3.bias", "block1.layer.0.scale1.scale",
                "block1.layer.0.bias4.bias", "block2.layer.0.convShortcut.weight", "bias2.bias", "fc.weight")),
                fixup.toString());
        assertThrows(IllegalArgumentException.class, () -> names.torchName("head.weight"));
    }

    @Test
    void exportThenImportRestoresEveryValueBitForBit() throws IOException {
        List<Network> sources = List.of(randomised(wrn(WideResNet.Variant.BATCHNORM, 1), 11),
                randomised(wrn(WideResNet.Variant.FIXUP, 2), 12),
                randomised(Mlp.builder().inputs(6).hidden(5, 4).classes(3).dataType(DataType.DOUBLE).build(), 13),
                randomised(ConvNet.builder().inputChannels(2).imageSize(4).channels(3).hidden(4).classes(3).build(),
                        14));
        List<Network> targets = List.of(wrn(WideResNet.Variant.BATCHNORM, 5), wrn(WideResNet.Variant.FIXUP, 6),
                Mlp.builder().inputs(6).hidden(5, 4).classes(3).dataType(DataType.DOUBLE).build(),
                ConvNet.builder().inputChannels(2).imageSize(4).channels(3).hidden(4).classes(3).build());
        List<TorchNames> names = List.of(TorchNames.wideResNet(), TorchNames.wideResNet(), TorchNames.sequential(),
                TorchNames.sequential());
        for (int i = 0; i < sources.size(); i++) {
            Path file = dir.resolve("net" + i + ".safetensors");
            TorchStateDict.save(sources.get(i), file, names.get(i));
            TorchStateDict.load(targets.get(i), file, names.get(i));
            Map<String, INDArray> want = snapshot(sources.get(i));
            Map<String, INDArray> got = snapshot(targets.get(i));
            assertEquals(want.keySet(), got.keySet());
            for (String k : want.keySet()) {
                assertEquals(want.get(k).dataType(), got.get(k).dataType(), k);
                assertArrayEquals(flat(want.get(k)), flat(got.get(k)), 0.0, k);
            }
            assertArrayEquals(Files.readAllBytes(file), SafetensorsFile.toBytes(
                    TorchStateDict.toContent(targets.get(i), names.get(i))), "re-export gives the same file");
        }
    }

    @Test
    void exportWritesPyTorchKeysDtypesAndBatchCounters() {
        SafetensorsContent content = TorchStateDict.toContent(wrn(WideResNet.Variant.BATCHNORM, 0),
                TorchNames.wideResNet());
        assertEquals(Map.of("format", "pt"), content.metadata());
        SafetensorsTensor counter = content.tensors().get("block2.layer.0.bn1.num_batches_tracked");
        assertEquals(SafetensorsDtype.I64, counter.dtype());
        assertArrayEquals(new long[0], counter.shape());
        assertEquals(SafetensorsDtype.F32, content.tensors().get("conv1.weight").dtype());
        assertArrayEquals(new long[] {16, 2, 3, 3}, content.tensors().get("conv1.weight").shape());
    }

    @Test
    void everyMissingExtraAndMisShapedTensorIsReportedAtOnceAndNothingIsChanged() throws IOException {
        Network source = randomised(Mlp.builder().inputs(6).hidden(5).classes(3).build(), 3);
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>(
                TorchStateDict.toContent(source, TorchNames.sequential()).tensors());
        tensors.remove("1.bias");
        tensors.remove("3.weight");
        tensors.put("1.weight", SafetensorsTensor.of("1.weight", Nd4j.zeros(DataType.FLOAT, 5, 7),
                SafetensorsDtype.F32));
        tensors.put("5.weight", SafetensorsTensor.of("5.weight", Nd4j.zeros(DataType.FLOAT, 2), SafetensorsDtype.F32));
        tensors.put("3.bias", SafetensorsTensor.ofLongs("3.bias", new long[] {3}, 1, 2, 3));
        Path file = dir.resolve("bad.safetensors");
        SafetensorsFile.write(file, new SafetensorsContent(tensors, Map.of()));
        Network target = Mlp.builder().inputs(6).hidden(5).classes(3).seed(9).build();
        Map<String, INDArray> before = snapshot(target);
        WeightsFileException e = assertThrows(WeightsFileException.class,
                () -> TorchStateDict.load(target, file, TorchNames.sequential()));
        String message = e.getMessage();
        assertTrue(message.contains(file.toString()) && message.contains("(5 problems)"), message);
        assertTrue(message.contains("missing '1.bias' [5]"), message);
        assertTrue(message.contains("missing '3.weight' [3, 5]"), message);
        assertTrue(message.contains("wrong shape '1.weight': [5, 7] in the file, [5, 6] in the network"), message);
        assertTrue(message.contains("wrong type '3.bias': I64"), message);
        assertTrue(message.contains("extra '5.weight' [2]"), message);
        Map<String, INDArray> after = snapshot(target);
        for (String k : before.keySet()) {
            assertEquals(before.get(k), after.get(k), k + " unchanged");
        }
    }

    @Test
    void nonFiniteValuesAreRejectedAndBatchCountersOfUnknownLayersAreExtra() throws IOException {
        Network net = Mlp.builder().inputs(2).classes(2).build();
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>(
                TorchStateDict.toContent(net, TorchNames.sequential()).tensors());
        tensors.put("1.bias", SafetensorsTensor.of("1.bias", Nd4j.createFromArray(1f, Float.NaN),
                SafetensorsDtype.F32));
        tensors.put("bn.num_batches_tracked", SafetensorsTensor.ofLongs("bn.num_batches_tracked", new long[0], 3L));
        String message = assertThrows(WeightsFileException.class, () -> TorchStateDict.load(net,
                new SafetensorsContent(tensors, Map.of()), TorchNames.sequential(), "nan.safetensors")).getMessage();
        assertTrue(message.contains("non-finite values in '1.bias'"), message);
        assertTrue(message.contains("extra 'bn.num_batches_tracked'"), message);
    }
}
