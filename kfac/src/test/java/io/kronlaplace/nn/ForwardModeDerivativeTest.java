package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Module#jvp} against central finite differences of the forward pass (float64). */
class ForwardModeDerivativeTest {

    private static INDArray random(long seed, long... shape) {
        return new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL).normal(shape, 1.0);
    }

    private static Network convNet() {
        Init init = new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Sequential features = new Sequential(new Conv2d(2, 3, 3, 1, 1, true, init), new ReLU(),
                new Conv2d(3, 2, 3, 2, 1, true, init), new ReLU());
        return new Network(new Sequential(features, new FlattenForTest(), new Linear(2 * 3 * 3, 4, true, init)));
    }

    /** Reshapes N x C x H x W to N x (C H W); linear, so its tangent is reshaped the same way. */
    private static final class FlattenForTest extends Module {
        private long[] shape;

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            shape = input.shape();
            return input.reshape(input.size(0), input.length() / input.size(0));
        }

        @Override
        public INDArray backward(INDArray gradOutput, BackwardContext context) {
            return gradOutput.reshape(gradOutput.size(0), shape[1], shape[2], shape[3]);
        }

        @Override
        public INDArray jvp(INDArray tangent, TangentTap tap) {
            return tangent.reshape(tangent.size(0), tangent.length() / tangent.size(0));
        }
    }

    @Test
    void outputAndLayerInputTangentsMatchCentralDifferences() {
        Network net = convNet();
        INDArray x = random(11, 3, 2, 5, 5);
        INDArray dx = random(12, 3, 2, 5, 5);
        double h = 1e-6;
        List<INDArray> plus = layerInputs(net, x.add(dx.mul(h)));
        INDArray outPlus = net.forward(x.add(dx.mul(h)), Mode.EVAL);
        List<INDArray> minus = layerInputs(net, x.sub(dx.mul(h)));
        INDArray outMinus = net.forward(x.sub(dx.mul(h)), Mode.EVAL);

        net.forward(x, Mode.EVAL);
        List<INDArray> tangents = new ArrayList<>();
        List<WeightLayer> seen = new ArrayList<>();
        INDArray outTangent = net.jvp(dx, (layer, input, t) -> {
            seen.add(layer);
            tangents.add(t.dup());
        });
        assertEquals(net.weightLayers(), seen);
        assertClose(outPlus.sub(outMinus).div(2 * h), outTangent, 1e-7);
        for (int i = 0; i < tangents.size(); i++) {
            assertClose(plus.get(i).sub(minus.get(i)).div(2 * h), tangents.get(i), 1e-7);
        }
    }

    @Test
    void residualPoolingNormalisationAndFixupLayersMatchCentralDifferences() {
        Init init = new Init(5, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        BatchNorm2d bn = new BatchNorm2d(3, DataType.DOUBLE);
        FixupScale scale = new FixupScale(DataType.DOUBLE);
        scale.ownParameters().get(0).value().assign(0.7);
        FixupBias bias = new FixupBias(DataType.DOUBLE);
        bias.ownParameters().get(0).value().assign(0.2);
        Network net = new Network(new Sequential(new Conv2d(2, 3, 3, 1, 1, true, init), bn, new ReLU(),
                new Residual(new Sequential(bias, new Conv2d(3, 3, 3, 1, 1, false, init), scale)),
                new AvgPool2d(2, 2), new Tanh(), new Flatten(), new Linear(3 * 2 * 2, 4, true, init)));
        // non-trivial running statistics, then evaluation mode (affine normalisation)
        net.forward(random(30, 8, 2, 4, 4).mul(2).add(1), Mode.TRAIN);
        INDArray x = random(31, 3, 2, 4, 4);
        INDArray dx = random(32, 3, 2, 4, 4);
        double h = 1e-6;
        INDArray diff = net.forward(x.add(dx.mul(h)), Mode.EVAL).sub(net.forward(x.sub(dx.mul(h)), Mode.EVAL))
                .div(2 * h);
        net.forward(x, Mode.EVAL);
        assertClose(diff, net.jvp(dx, null), 1e-7);
        net.forward(x, Mode.TRAIN);
        assertThrows(IllegalStateException.class, () -> net.jvp(dx, null));
    }

    @Test
    void moduleWithoutDerivativeNamesItself() {
        Network net = new Network(new Sequential(new Linear(2, 2, true, Init.kaiming(1)), new Module() {
            @Override
            public INDArray forward(INDArray input, Mode mode) {
                return input;
            }

            @Override
            public INDArray backward(INDArray gradOutput, BackwardContext context) {
                return gradOutput;
            }
        }));
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 2);
        net.forward(x, Mode.EVAL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.jvp(x, null));
        assertTrue(e.getMessage().contains("'1'"), e.getMessage());
    }

    private static List<INDArray> layerInputs(Network net, INDArray x) {
        net.forward(x, Mode.EVAL);
        List<INDArray> inputs = new ArrayList<>();
        net.jvp(x.ulike(), (layer, input, t) -> inputs.add(input.dup()));
        return inputs;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol) {
        double scale = Math.max(1e-12, expected.norm2Number().doubleValue());
        double err = expected.sub(actual).norm2Number().doubleValue() / scale;
        assertTrue(err < tol, "relative error " + err);
    }
}
