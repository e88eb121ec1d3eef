package io.kronlaplace.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.BatchNorm2d;
import io.kronlaplace.nn.ChannelBlocking;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.GradientCheck;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.Residual;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class WideResNetTest {
    private static Network wrn10(WideResNet.Variant variant) {
        return WideResNet.builder().depth(10).widen(1).classes(5).variant(variant).seed(3)
                .dataType(DataType.DOUBLE).build();
    }

    @Test
    void wrn16x4WithBatchNormHasTheStandardParameterCount() {
        Network net = WideResNet.builder().depth(16).widen(4).classes(10).build();
        assertEquals(2_748_890L, net.numParameters());
        assertEquals(DataType.FLOAT, net.dataType());
        // stem + 6 blocks x 2 convs + 3 shortcuts + classifier
        assertEquals(1 + 12 + 3 + 1, net.weightLayers().size());
        assertEquals(2 * 13, net.buffers().size(), "running mean and variance of 6 x 2 + 1 BatchNorm layers");
    }

    @Test
    void outputShapesThroughTheWholeNetwork() {
        for (WideResNet.Variant variant : WideResNet.Variant.values()) {
            Network net = wrn10(variant);
            INDArray x = GradientCheck.random(1, 2, 3, 32, 32);
            INDArray train = net.forward(x, Mode.TRAIN);
            assertArrayEquals(new long[] {2, 5}, train.shape(), variant.name());
            assertArrayEquals(new long[] {2, 5}, net.forward(x, Mode.EVAL).shape(), variant.name());
            INDArray gin = net.backward(GradientCheck.random(2, 2, 5), io.kronlaplace.nn.BackwardContext.training());
            assertArrayEquals(x.shape(), gin.shape());
        }
    }

    @Test
    void fixupStartsWithZeroBranchEndsAndClassifierAndScaledFirstConvs() {
        Network net = wrn10(WideResNet.Variant.FIXUP);
        Map<String, Parameter> p = net.parameters();
        assertEquals(0.0, p.get("fc.weight").value().norm2Number().doubleValue());
        assertEquals(0.0, p.get("fc.bias").value().norm2Number().doubleValue());
        assertEquals(0.0, p.get("group1.0.main.conv2.weight").value().norm2Number().doubleValue());
        assertEquals(0.0, p.get("group2.0.residual.main.conv2.weight").value().norm2Number().doubleValue());
        assertTrue(p.keySet().stream().noneMatch(k -> k.contains("bn")), "no BatchNorm in Fixup");
        assertEquals(1.0, p.get("group3.0.residual.main.scale.scale").value().getDouble(0));
        // first conv of a branch: std sqrt(2 / fan-out) * L^(-1/2), L = 3 branches; the shortcut is unscaled
        INDArray c1 = p.get("group3.0.residual.main.conv1.weight").value();
        double expected = Math.sqrt(2.0 / (64 * 9)) / Math.sqrt(3);
        double std = c1.stdNumber().doubleValue();
        assertEquals(expected, std, 0.05 * expected);
        INDArray shortcut = p.get("group3.0.residual.shortcut.weight").value();
        assertEquals(Math.sqrt(2.0 / 64), shortcut.stdNumber().doubleValue(), 0.1 * Math.sqrt(2.0 / 64));
        // zero classifier: every input gives zero logits at initialisation
        INDArray out = net.forward(GradientCheck.random(4, 2, 3, 8, 8), Mode.TRAIN);
        assertEquals(0.0, out.norm2Number().doubleValue());
    }

    @Test
    void sameSeedSameNetworkOtherSeedOtherNetwork() {
        INDArray a = wrn10(WideResNet.Variant.BATCHNORM).flatParameters();
        assertEquals(a, wrn10(WideResNet.Variant.BATCHNORM).flatParameters());
        INDArray b = WideResNet.builder().depth(10).widen(1).classes(5).seed(4).dataType(DataType.DOUBLE).build()
                .flatParameters();
        assertTrue(a.sub(b).norm2Number().doubleValue() > 1);
    }

    @Test
    void batchNormBlockGradientsMatchFiniteDifferences() {
        Network net = wrn10(WideResNet.Variant.BATCHNORM);
        Module projection = ((Sequential) net.root()).get(3);
        Module block = ((Sequential) projection).get(0);
        assertTrue(((Sequential) block).get(1) instanceof Residual);
        GradientCheck.checkSampled(block, GradientCheck.random(5, 2, 16, 4, 4), Mode.TRAIN, 4, 1e-6);
        GradientCheck.checkCopies(block, GradientCheck.random(6, 2, 16, 4, 4), Mode.TRAIN, 3, 1e-12);
        Module identity = ((Sequential) ((Sequential) net.root()).get(2)).get(0);
        assertTrue(identity instanceof Residual);
        GradientCheck.checkSampled(identity, GradientCheck.random(7, 2, 16, 4, 4), Mode.TRAIN, 4, 1e-6);
    }

    @Test
    void fixupBlockGradientsMatchFiniteDifferences() {
        Network net = wrn10(WideResNet.Variant.FIXUP);
        // Move away from the zero initialisation so that every gradient is non-trivial.
        for (Parameter p : net.parameters().values()) {
            p.value().addi(GradientCheck.random(p.size(), p.value().shape()).muli(0.3));
        }
        Module projection = ((Sequential) ((Sequential) net.root()).get(4)).get(0);
        GradientCheck.checkSampled(projection, GradientCheck.random(8, 2, 16, 4, 4), Mode.TRAIN, 8, 1e-6);
        GradientCheck.checkCopies(projection, GradientCheck.random(9, 2, 16, 4, 4), Mode.EVAL, 2, 1e-12);
    }

    @Test
    void wholeNetworkCopiesEqualSeparateBackwardPasses() {
        GradientCheck.checkCopies(wrn10(WideResNet.Variant.BATCHNORM).root(), GradientCheck.random(10, 2, 3, 8, 8),
                Mode.TRAIN, 2, 1e-10);
    }

    @Test
    void rejectsBadArchitecturesAndInputs() {
        assertThrows(IllegalArgumentException.class, () -> WideResNet.builder().depth(12));
        assertThrows(IllegalArgumentException.class, () -> WideResNet.builder().widen(0));
        assertThrows(IllegalArgumentException.class, () -> WideResNet.builder().dataType(DataType.INT));
        Network net = wrn10(WideResNet.Variant.BATCHNORM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(GradientCheck.random(1, 2, 1, 8, 8), Mode.EVAL));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
        assertTrue(net.weightLayers().get(0) instanceof Conv2d);
        assertTrue(((Sequential) net.root()).get(1) instanceof ChannelBlocking);
        assertTrue(((Sequential) net.root()).get(5) instanceof BatchNorm2d);
    }

    @Test
    void channelBlockedMapsGiveTheStepCurvatureAndDerivativesOfNchwMaps() {
        for (WideResNet.Variant variant : WideResNet.Variant.values()) {
            Network nchw = float32Wrn10(variant, false);
            Network blocked = float32Wrn10(variant, true);
            for (Network net : List.of(nchw, blocked)) {
                // away from Fixup's zero initialisation, so that every gradient is non-trivial
                for (Parameter p : net.parameters().values()) {
                    p.value().addi(GradientCheck.random(p.size(), p.value().shape()).castTo(DataType.FLOAT).muli(0.1));
                }
            }
            String v = variant.name();
            INDArray x = GradientCheck.random(31, 4, 3, 8, 8).castTo(DataType.FLOAT);
            INDArray y = org.nd4j.linalg.factory.Nd4j.createFromArray(new long[] {0, 3, 1, 4});
            CrossEntropy likelihood = new CrossEntropy();
            List<List<INDArray>> seen = List.of(new ArrayList<>(), new ArrayList<>());
            List<INDArray> inputGradients = new ArrayList<>();
            List<INDArray> trainingLogits = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Network net = i == 0 ? nchw : blocked;
                INDArray logits = net.forward(x, Mode.TRAIN);
                trainingLogits.add(logits);
                net.backward(likelihood.gradient(logits, y, Reduction.MEAN), BackwardContext.training());
                // two vectors per example through the training-mode linearisation, seen by a curvature tap
                List<INDArray> taps = seen.get(i);
                inputGradients.add(net.backward(GradientCheck.random(33, 8, 5).castTo(DataType.FLOAT),
                        BackwardContext.curvature(2, (layer, in, g, copies) -> {
                            taps.add(in);
                            taps.add(g);
                        })));
            }
            assertClose(trainingLogits.get(0), trainingLogits.get(1), v + " training logits");
            assertClose(inputGradients.get(0), inputGradients.get(1), v + " input gradient of two copies");
            assertEquals(seen.get(0).size(), seen.get(1).size());
            for (int i = 0; i < seen.get(0).size(); i++) {
                assertClose(seen.get(0).get(i), seen.get(1).get(i), v + " tap argument " + i);
            }
            for (String p : nchw.parameters().keySet()) {
                assertClose(nchw.parameter(p).grad(), blocked.parameter(p).grad(), v + " gradient of " + p);
            }
            for (String b : nchw.buffers().keySet()) {
                assertClose(nchw.buffers().get(b), blocked.buffers().get(b), v + " " + b);
            }
            assertClose(nchw.forward(x, Mode.EVAL), blocked.forward(x, Mode.EVAL), v + " evaluation logits");
            INDArray t = GradientCheck.random(32, 4, 3, 8, 8).castTo(DataType.FLOAT);
            assertClose(nchw.jvp(t, null), blocked.jvp(t, null), v + " input derivative");
            for (KfacFlavour flavour : KfacFlavour.values()) {
                Map<String, KronFactors> expected = factors(nchw, x, y, flavour);
                Map<String, KronFactors> actual = factors(blocked, x, y, flavour);
                assertEquals(expected.keySet(), actual.keySet());
                for (String layer : expected.keySet()) {
                    assertClose(expected.get(layer).a(), actual.get(layer).a(), v + " " + flavour + " A of " + layer);
                    assertClose(expected.get(layer).b(), actual.get(layer).b(), v + " " + flavour + " B of " + layer);
                }
            }
        }
    }

    private static Network float32Wrn10(WideResNet.Variant variant, boolean channelBlocks) {
        return WideResNet.builder().depth(10).widen(1).classes(5).variant(variant).seed(3).channelBlocks(channelBlocks)
                .build();
    }

    private static Map<String, KronFactors> factors(Network net, INDArray x, INDArray y, KfacFlavour flavour) {
        KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(),
                KfacOptions.builder().flavour(flavour).build());
        estimator.accumulate(x, y);
        return estimator.factors();
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": differs by " + diff + " (largest value " + scale + ")");
    }
}
