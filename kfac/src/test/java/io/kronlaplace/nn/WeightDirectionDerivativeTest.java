package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward-mode derivatives w.r.t. the weights ({@link TangentTap#weightTangent}) against central finite differences of
 * the forward pass with the weights moved (float64), on the layer kinds a Wide ResNet, a CNN and an MLP use.
 */
class WeightDirectionDerivativeTest {

    private static INDArray random(long seed, long... shape) {
        return new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL).normal(shape, 1.0);
    }

    /** Conv - BatchNorm (eval) - ReLU - residual block with a strided 1x1 shortcut - pooling - Linear head. */
    private static Network wideResNetLike() {
        Init init = new Init(5, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network net = new Network(new Sequential(new Conv2d(2, 3, 3, 1, 1, true, init),
                new BatchNorm2d(3, DataType.DOUBLE), new ReLU(),
                new Residual(new Sequential(new Conv2d(3, 4, 3, 2, 1, false, init), new BatchNorm2d(4, DataType.DOUBLE),
                        new ReLU(), new Conv2d(4, 4, 3, 1, 1, false, init)), new Conv2d(3, 4, 1, 2, 0, false, init)),
                new AvgPool2d(2, 2), new GlobalAvgPool2d(), new Linear(4, 5, true, init)));
        // non-trivial running statistics, and non-zero biases so that bias directions are exercised
        net.forward(random(30, 8, 2, 8, 8).mul(2).add(1), Mode.TRAIN);
        for (Parameter p : net.parameters().values()) {
            if (p.kind() == Parameter.Kind.BIAS) {
                p.value().assign(random(40 + p.size(), p.size()).mul(0.3));
            }
        }
        return net;
    }

    /** A direction for every weight layer's weight and bias. */
    private static Map<WeightLayer, WeightTangent> directions(Network net, long seed) {
        Map<WeightLayer, WeightTangent> out = new IdentityHashMap<>();
        long s = seed;
        for (WeightLayer layer : net.weightLayers()) {
            INDArray w = random(s++, layer.weight().value().shape());
            INDArray b = layer.bias() == null ? null : random(s++, layer.bias().value().shape());
            out.put(layer, new WeightTangent(w, b));
        }
        return out;
    }

    /** Central difference of the outputs along the weight directions, weights restored afterwards. */
    private static INDArray centralDifference(Network net, INDArray x, Map<WeightLayer, WeightTangent> d, double h) {
        move(d, h);
        INDArray plus = net.forward(x, Mode.EVAL).dup();
        move(d, -2 * h);
        INDArray minus = net.forward(x, Mode.EVAL).dup();
        move(d, h);
        return plus.sub(minus).div(2 * h);
    }

    private static void move(Map<WeightLayer, WeightTangent> d, double step) {
        for (Map.Entry<WeightLayer, WeightTangent> e : d.entrySet()) {
            e.getKey().weight().value().addi(e.getValue().weight().mul(step));
            if (e.getValue().bias() != null) {
                e.getKey().bias().value().addi(e.getValue().bias().mul(step));
            }
        }
    }

    private static TangentTap stepping(Map<WeightLayer, WeightTangent> d) {
        return new TangentTap() {
            @Override
            public void observe(WeightLayer layer, INDArray input, INDArray inputTangent) {
            }

            @Override
            public WeightTangent weightTangent(WeightLayer layer) {
                return d.get(layer);
            }
        };
    }

    @Test
    void weightDirectionOfAResidualConvolutionalNetMatchesCentralDifferences() {
        Network net = wideResNetLike();
        INDArray x = random(31, 3, 2, 8, 8);
        Map<WeightLayer, WeightTangent> d = directions(net, 50);
        INDArray expected = centralDifference(net, x, d, 1e-6);
        net.forward(x, Mode.EVAL);
        assertClose(expected, net.jvp(x.ulike(), stepping(d)), 1e-7);
    }

    @Test
    void inputAndWeightDirectionsAddUp() {
        Network net = wideResNetLike();
        INDArray x = random(31, 3, 2, 8, 8);
        INDArray dx = random(32, 3, 2, 8, 8);
        Map<WeightLayer, WeightTangent> d = directions(net, 60);
        net.forward(x, Mode.EVAL);
        INDArray both = net.jvp(dx, stepping(d));
        INDArray viaInput = net.jvp(dx, null);
        INDArray viaWeights = net.jvp(x.ulike(), stepping(d));
        assertClose(viaInput.add(viaWeights), both, 1e-12);
    }

    @Test
    void weightDirectionOfAnMlpWithSharedPositionsAndSegmentsMatchesCentralDifferences() {
        Init init = new Init(7, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        RowSegments segments = new RowSegments(new int[] {2, 3});
        // tokens N x R x Din through a shared Linear, then per-row SegmentLinear on the flattened rows
        Network net = new Network(new Sequential(new Linear(3, 4, true, init), new Tanh(), new Flatten(),
                new SegmentLinear(8, 2, true, init, () -> segments)));
        INDArray x = random(33, 5, 2, 3);
        Map<WeightLayer, WeightTangent> d = directions(net, 70);
        INDArray expected = centralDifference(net, x, d, 1e-6);
        net.forward(x, Mode.EVAL);
        assertClose(expected, net.jvp(x.ulike(), stepping(d)), 1e-7);
    }

    @Test
    void directionThatDoesNotFitNamesTheLayer() {
        Network net = new Network(new Sequential(new Linear(2, 3, false, Init.kaiming(1))));
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 2);
        net.forward(x, Mode.EVAL);
        WeightLayer layer = net.weightLayers().get(0);
        Map<WeightLayer, WeightTangent> transposed = Map.of(layer, new WeightTangent(Nd4j.ones(DataType.FLOAT, 2, 3),
                null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.jvp(x.ulike(),
                stepping(transposed)));
        assertTrue(e.getMessage().contains("weight direction") && e.getMessage().contains("'0'"), e.getMessage());
        Map<WeightLayer, WeightTangent> withBias = Map.of(layer, new WeightTangent(Nd4j.ones(DataType.FLOAT, 3, 2),
                Nd4j.ones(DataType.FLOAT, 3)));
        e = assertThrows(IllegalArgumentException.class, () -> net.jvp(x.ulike(), stepping(withBias)));
        assertTrue(e.getMessage().contains("has no bias"), e.getMessage());
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol) {
        double scale = Math.max(1e-12, expected.norm2Number().doubleValue());
        double err = expected.sub(actual).norm2Number().doubleValue() / scale;
        assertTrue(scale > 1e-3, "reference is not trivially small");
        assertTrue(err < tol, "relative error " + err);
    }
}
