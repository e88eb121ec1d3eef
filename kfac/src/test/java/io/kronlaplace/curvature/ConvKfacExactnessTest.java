package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * docs/kfac.md, section Exactness, for Conv2d (R = output locations): stacks of 1x1 convolutions are exact in every
 * layer, a k x k convolution is exact as the LAST layer, with per-pixel MSE for EXPAND and global average pooling + MSE
 * for REDUCE; each flavour is wrong in the other's setting. Also checks the unfold-free patch mean.
 */
class ConvKfacExactnessTest {

    private static Network net(boolean pooled, int lastKernel, long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        Sequential s = new Sequential(new Conv2d(2, 3, 1, 1, 0, true, init),
                new Conv2d(3, 2, lastKernel, 1, lastKernel / 2, true, init));
        s.add(pooled ? new TestModules.MeanPool(false) : new TestModules.FlattenAll());
        return new Network(s);
    }

    private static INDArray images(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, 2, 2, 4, 3);
    }

    private static Map<String, KronFactors> factors(Network net, INDArray x, KfacFlavour flavour) {
        KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0), KfacOptions.builder().flavour(flavour).build());
        est.accumulate(x, null);
        return est.factors();
    }

    private static double layerError(Network net, Map<String, KronFactors> factors, INDArray ggn, String layer) {
        KronFactors f = factors.get(layer);
        double weight = relativeError(DenseReference.kron(f.b(), f.a()),
                DenseReference.block(net, ggn, layer + ".weight"));
        double bias = relativeError(f.b(), DenseReference.block(net, ggn, layer + ".bias"));
        return Math.max(weight, bias);
    }

    @Test
    void oneByOneStackIsExactInEveryLayerForBothSettings() {
        for (boolean pooled : new boolean[] {false, true}) {
            Network net = net(pooled, 1, 11);
            INDArray x = images(12);
            INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
            KfacFlavour exact = pooled ? KfacFlavour.REDUCE : KfacFlavour.EXPAND;
            KfacFlavour wrong = pooled ? KfacFlavour.EXPAND : KfacFlavour.REDUCE;
            Map<String, KronFactors> good = factors(net, x, exact);
            Map<String, KronFactors> bad = factors(net, x, wrong);
            for (String layer : new String[] {"0", "1"}) {
                double e = layerError(net, good, ggn, layer);
                assertTrue(e < 1e-7, exact + " layer " + layer + " pooled=" + pooled + ": " + e);
                double w = layerError(net, bad, ggn, layer);
                assertTrue(w > 1e-2, wrong + " layer " + layer + " pooled=" + pooled + " should differ: " + w);
            }
        }
    }

    @Test
    void kernelThreeByThreeIsExactAsTheLastLayer() {
        for (boolean pooled : new boolean[] {false, true}) {
            Network net = net(pooled, 3, 13);
            INDArray x = images(14);
            INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
            KfacFlavour exact = pooled ? KfacFlavour.REDUCE : KfacFlavour.EXPAND;
            KfacFlavour wrong = pooled ? KfacFlavour.EXPAND : KfacFlavour.REDUCE;
            double e = layerError(net, factors(net, x, exact), ggn, "1");
            assertTrue(e < 1e-7, exact + " last 3x3 layer pooled=" + pooled + ": " + e);
            double w = layerError(net, factors(net, x, wrong), ggn, "1");
            assertTrue(w > 1e-2, wrong + " last 3x3 layer pooled=" + pooled + " should differ: " + w);
        }
    }

    @ParameterizedTest
    @CsvSource({"3,1,1,5,6", "3,2,1,7,5", "3,2,0,8,7", "1,2,0,5,5", "5,1,2,4,4", "3,4,2,1,1", "2,3,1,6,4",
        "5,1,2,2,3", "1,1,0,3,4", "4,1,1,5,3", "3,1,1,16,12", "5,2,2,11,9", "3,3,1,13,10", "7,2,3,12,12",
        "1,1,0,9,9", "1,2,0,10,7"})
    void patchMeanEqualsTheMeanOfTheUnfoldedPatches(int k, int stride, int pad, int h, int w) {
        Conv2d conv = new Conv2d(3, 2, k, stride, pad, false, new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL));
        Nd4j.getRandom().setSeed(k * 100 + stride * 10 + pad);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, h, w);
        INDArray expected = conv.patches(x).mean(1);
        INDArray actual = ConvPatchMean.of(conv, x);
        assertEquals(2, actual.rank());
        assertTrue(relativeError(actual, expected) < 1e-12, "k=" + k + " s=" + stride + " p=" + pad + ": "
                + actual + " vs " + expected);
    }

    @ParameterizedTest
    @CsvSource({"2", "1"})
    void patchMeanWorksInFloat32(int stride) {
        Conv2d conv = new Conv2d(2, 2, 3, stride, 1, false, Init.kaiming(3));
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 2, 6, 5);
        INDArray expected = conv.patches(x).mean(1);
        INDArray actual = ConvPatchMean.of(conv, x);
        assertEquals(DataType.FLOAT, actual.dataType());
        assertTrue(relativeError(actual.castTo(DataType.DOUBLE), expected.castTo(DataType.DOUBLE)) < 1e-6);
    }
}
