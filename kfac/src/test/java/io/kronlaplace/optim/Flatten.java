package io.kronlaplace.optim;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helper: flattens NCHW feature maps to N x (C*H*W) rows so a Linear layer can follow a Conv2d. */
final class Flatten extends Module {
    private long[] inputShape;

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        inputShape = input.shape();
        return input.reshape('c', input.size(0), input.length() / input.size(0));
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        long[] shape = inputShape.clone();
        shape[0] = gradOutput.size(0);
        return gradOutput.reshape('c', shape);
    }
}
