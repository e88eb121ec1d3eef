package io.kronlaplace.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Puts float32 NCHW feature maps into oneDNN's channel-blocked layout for the layers after it, so that convolutions
 * and batch normalisation no longer reorder every map they read and write (docs/onednn.md). Blocked maps are rank-5
 * arrays {@code [N, C/16, H, W, 16]}: channel {@code c} is lane {@code c % 16} of block {@code c / 16}.
 *
 * <p>Maps are blocked in {@link Mode#TRAIN} only. Evaluation-mode passes (curvature passes, predictions, forward-mode
 * derivatives) keep NCHW maps: their taps read NCHW arrays, and converting for every tap call cost more time and
 * memory than blocking saved. Where the input cannot be blocked (float64, C not a multiple of 16, oneDNN 3 off or not
 * loaded) this layer is the identity too, and everything after it runs on NCHW arrays as before. Layers that take
 * blocked maps, and give blocked maps where their output has channels in multiples of 16: {@link Conv2d},
 * {@link BatchNorm2d}, {@link ReLU}, {@link FixupBias}, {@link FixupScale}, {@link Dropout}, {@link Residual} and
 * {@link Sequential} of these;
 * {@link GlobalAvgPool2d} takes them and gives {@code [N, C]}, {@link Flatten} takes them and gives the NCHW order's
 * features. The other library layers reject rank-5 input, so a blocked map never reaches code that would misread
 * it; a layer of your own after this one must accept the layout or convert. Curvature taps see NCHW arrays whatever
 * the layout.
 */
public final class ChannelBlocking extends Module {
    private boolean blocked;
    private long[] inputShape;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireRank(input, "ChannelBlocking '" + path() + "' input (N, C, H, W)", 4);
        inputShape = input.shape();
        blocked = mode == Mode.TRAIN && ChannelBlocks.canBlock(input);
        return blocked ? ChannelBlocks.block(input) : input;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (inputShape == null) {
            throw new IllegalStateException("ChannelBlocking '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, inputShape[0], context, this);
        String what = "ChannelBlocking '" + path() + "' output gradient";
        INDArray g = ChannelBlocks.nchw(ChannelBlocks.requireLayout(gradOutput, blocked, what));
        Tensors.requireSameTrailingShape(g, inputShape, what);
        return g;
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (inputShape == null) {
            throw new IllegalStateException("ChannelBlocking '" + path() + "': jvp called before forward");
        }
        if (!Arrays.equals(tangent.shape(), inputShape)) {
            throw new IllegalArgumentException("ChannelBlocking '" + path() + "': tangent has shape "
                    + Arrays.toString(tangent.shape()) + ", input was " + Arrays.toString(inputShape));
        }
        return blocked ? ChannelBlocks.block(tangent) : tangent;
    }
}
