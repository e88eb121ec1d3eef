package io.kronlaplace.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernels behind {@link Conv2d}: forward, input gradient alone, and input plus parameter gradients, on C-ordered
 * NCHW arrays whose shapes the caller has checked against a {@link ConvolutionGeometry}. Two implementations: oneDNN
 * 3.x with cached primitives ({@link OneDnnConvolution}, float32, which also reads and writes channel-blocked maps in
 * place where the geometry says so) and libnd4j's ops ({@link Nd4jConvolution}, every type, NCHW only).
 * {@link #forType} chooses; docs/onednn.md explains why there are two. The shapes in the method descriptions are the
 * geometry's NCHW shapes; a channel-blocked operand has the matching {@code [N, C/16, H, W, 16]} array shape.
 */
interface ConvolutionBackend {
    /**
     * The convolution {@code z = conv(x, w) + b}.
     *
     * @param g the call's shape
     * @param x input {@code [N, Cin, H, W]}
     * @param w kernel {@code [Cout, Cin, k, k]}
     * @param b bias {@code [Cout]}, or null when {@code g.bias()} is false
     * @return a new output {@code [N, Cout, Hout, Wout]} in x's type
     */
    INDArray forward(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b);

    /**
     * The input gradient alone: the transposed convolution of an output gradient with the kernel.
     *
     * @param g  the call's shape
     * @param gy output gradient {@code [N, Cout, Hout, Wout]}
     * @param w  kernel {@code [Cout, Cin, k, k]}
     * @return a new input gradient {@code [N, Cin, H, W]}
     */
    INDArray inputGradient(ConvolutionGeometry g, INDArray gy, INDArray w);

    /**
     * Input, kernel and bias gradients of one call, written into the given arrays (overwritten, not accumulated).
     *
     * @param g  the call's shape
     * @param x  the call's input {@code [N, Cin, H, W]}
     * @param w  kernel {@code [Cout, Cin, k, k]}
     * @param b  bias {@code [Cout]}, or null
     * @param gy output gradient {@code [N, Cout, Hout, Wout]}
     * @param gx receives the input gradient, x's shape
     * @param gw receives the kernel gradient, w's shape
     * @param gb receives the bias gradient {@code [Cout]}, or null when there is no bias
     */
    void gradients(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b, INDArray gy, INDArray gx, INDArray gw,
            INDArray gb);

    /**
     * The backend for arrays of one type: oneDNN for float32 unless {@link OneDnn#PROPERTY} turns it off or it could
     * not load, libnd4j otherwise.
     *
     * @param type the input's data type
     * @return the backend to use
     * @throws IllegalArgumentException when {@link OneDnn#PROPERTY} is neither true nor false
     */
    static ConvolutionBackend forType(DataType type) {
        return type == DataType.FLOAT && OneDnn.enabled() ? OneDnnConvolution.INSTANCE : Nd4jConvolution.INSTANCE;
    }
}
