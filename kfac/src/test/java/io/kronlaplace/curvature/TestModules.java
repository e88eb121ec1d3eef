package io.kronlaplace.curvature;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.RowIndex;
import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Small shape-changing modules for building the reference settings of the exactness tests. */
final class TestModules {
    private TestModules() {
    }

    /** Flattens everything after the batch dimension: every position gets its own loss terms. */
    static final class FlattenAll extends Module {
        private long[] shape;

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            shape = input.shape();
            return input.dup('c').reshape(input.size(0), input.length() / input.size(0));
        }

        @Override
        public INDArray backward(INDArray gradOutput, BackwardContext context) {
            long[] s = shape.clone();
            s[0] = gradOutput.size(0);
            return gradOutput.dup('c').reshape(s);
        }
    }

    /** Mean over every dimension after the first two ([N, R, C] -> [N, C] on axis 1 or [N, C, H, W] -> [N, C]). */
    static final class MeanPool extends Module {
        private final boolean positionsFirst;
        private long[] shape;

        /** @param positionsFirst true for [N, R, C] (pool axis 1), false for NCHW (pool axes 2, 3) */
        MeanPool(boolean positionsFirst) {
            this.positionsFirst = positionsFirst;
        }

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            shape = input.shape();
            return positionsFirst ? input.mean(1) : input.mean(2, 3);
        }

        @Override
        public INDArray backward(INDArray g, BackwardContext context) {
            long rows = g.size(0);
            if (positionsFirst) {
                long r = shape[1];
                return g.reshape(rows, 1, shape[2]).repeat(1, r).reshape(rows, r, shape[2]).divi(r);
            }
            long hw = shape[2] * shape[3];
            return g.reshape(rows, shape[1], 1).repeat(2, hw).reshape(rows, shape[1], shape[2], shape[3]).divi(hw);
        }
    }

    /** Mean over each row segment ([rows, C] -> [segments, C]): one pooled output per ragged example. */
    static final class SegmentMeanPool extends Module {
        private final RowSegments segments;

        SegmentMeanPool(RowSegments segments) {
            this.segments = segments;
        }

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            return segments.means(input);
        }

        @Override
        public INDArray backward(INDArray g, BackwardContext context) {
            INDArray scaled = RowIndex.scaleRows(g, segments.inverseLengths(), context.copies());
            return RowIndex.gather(scaled, segments.segmentOfRow(), context.copies());
        }
    }

    /** Hyperbolic tangent. */
    static final class Tanh extends Module {
        private INDArray out;

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            out = Transforms.tanh(input, true);
            return out;
        }

        @Override
        public INDArray backward(INDArray g, BackwardContext context) {
            INDArray d = out.mul(out).rsubi(1.0);
            return g.mul(Tensors.repeatCopies(d, context.copies()));
        }
    }
}
