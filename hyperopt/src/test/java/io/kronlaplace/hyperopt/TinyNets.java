package io.kronlaplace.hyperopt;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.TangentTap;
import io.kronlaplace.nn.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Tiny convolutional classifiers for float64 tests. */
final class TinyNets {
    private TinyNets() {
    }

    /** Conv(c -> 3, 3x3) - ReLU - Conv(3 -> 4, 3x3, stride 2) - ReLU - global mean pool - Linear(4 -> classes). */
    static Network conv(int channels, int classes, long seed, DataType type) {
        Init init = new Init(seed, type, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Conv2d(channels, 3, 3, 1, 1, true, init), new ReLU(),
                new Conv2d(3, 4, 3, 2, 1, true, init), new ReLU(), new MeanPool(), new Linear(4, classes, true, init)));
    }

    /** Conv(3 -> 8, stride 2) - ReLU - Conv(8 -> 16, stride 2) - ReLU - global mean pool - Linear(16 -> classes). */
    static Network small(int classes, long seed) {
        Init init = new Init(seed, DataType.FLOAT, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Conv2d(3, 8, 3, 2, 1, true, init), new ReLU(),
                new Conv2d(8, 16, 3, 2, 1, true, init), new ReLU(), new MeanPool(), new Linear(16, classes, true, init)));
    }

    /** Global average pooling N x C x H x W -> N x C (linear, so its tangent is pooled the same way). */
    static final class MeanPool extends Module {
        private long[] shape;

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            shape = input.shape();
            return input.mean(2, 3);
        }

        @Override
        public INDArray backward(INDArray gradOutput, BackwardContext context) {
            long rows = gradOutput.size(0);
            INDArray g = gradOutput.div(shape[2] * shape[3]).reshape(rows, shape[1], 1, 1);
            return g.broadcast(rows, shape[1], shape[2], shape[3]).dup();
        }

        @Override
        public INDArray jvp(INDArray tangent, TangentTap tap) {
            Tensors.requireRank(tangent, "tangent", 4);
            return tangent.mean(2, 3);
        }
    }
}
