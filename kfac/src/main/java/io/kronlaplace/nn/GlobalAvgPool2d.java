package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Mean over all spatial positions: NCHW {@code [N, C, H, W]} to {@code [N, C]}. */
public final class GlobalAvgPool2d extends Module {
    private long[] inputShape;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Tensors.requireRank(input, "GlobalAvgPool2d '" + path() + "' input (N, C, H, W)", 4);
        inputShape = input.shape();
        return input.mean(2, 3);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (inputShape == null) {
            throw new IllegalStateException("GlobalAvgPool2d '" + path() + "': backward called before forward");
        }
        requireRows(gradOutput, inputShape[0], context, this);
        Tensors.requireRank(gradOutput, "GlobalAvgPool2d '" + path() + "' output gradient", 2);
        Tensors.requireSize(gradOutput, 1, inputShape[1], "GlobalAvgPool2d '" + path() + "' output gradient");
        long rows = gradOutput.size(0);
        long channels = inputShape[1];
        long area = inputShape[2] * inputShape[3];
        INDArray spread = Nd4j.zeros(gradOutput.dataType(), rows * channels, area);
        spread.addiColumnVector(gradOutput.reshape('c', rows * channels, 1)).muli(1.0 / area);
        return spread.reshape('c', rows, channels, inputShape[2], inputShape[3]);
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        if (inputShape == null) {
            throw new IllegalStateException("GlobalAvgPool2d '" + path() + "': jvp called before forward");
        }
        Tensors.requireRank(tangent, "GlobalAvgPool2d '" + path() + "' tangent (N, C, H, W)", 4);
        return tangent.mean(2, 3);
    }
}
