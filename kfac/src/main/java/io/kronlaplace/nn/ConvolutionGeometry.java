package io.kronlaplace.nn;

/**
 * The shape of one {@link Conv2d} call: an NCHW input batch, a square kernel, stride and symmetric zero padding, and
 * whether a per-channel bias is added. Output sizes follow {@code (size + 2p - k) / s + 1}, rounded down. Convolution
 * backends key their prepared work on it.
 *
 * @param batch       images N
 * @param inChannels  input channels Cin
 * @param height      input height H
 * @param width       input width W
 * @param outChannels output channels Cout
 * @param kernel      kernel height and width k
 * @param stride      step between output positions s
 * @param padding     zero rows and columns added on every side p
 * @param bias        whether the convolution adds a bias
 * @param blockedInput  whether the input and its gradient are channel-blocked arrays ({@link ChannelBlocks})
 * @param blockedOutput whether the output and its gradient are channel-blocked arrays
 */
record ConvolutionGeometry(long batch, long inChannels, long height, long width, long outChannels, int kernel,
        int stride, int padding, boolean bias, boolean blockedInput, boolean blockedOutput) {

    /** A call on NCHW arrays. */
    ConvolutionGeometry(long batch, long inChannels, long height, long width, long outChannels, int kernel,
            int stride, int padding, boolean bias) {
        this(batch, inChannels, height, width, outChannels, kernel, stride, padding, bias, false, false);
    }

    /** @return output height {@code (H + 2p - k) / s + 1} */
    long outHeight() {
        return (height + 2L * padding - kernel) / stride + 1;
    }

    /** @return output width {@code (W + 2p - k) / s + 1} */
    long outWidth() {
        return (width + 2L * padding - kernel) / stride + 1;
    }

    /** @return the input shape {@code [N, Cin, H, W]} */
    long[] inputShape() {
        return new long[] {batch, inChannels, height, width};
    }

    /** @return the kernel shape {@code [Cout, Cin, k, k]} */
    long[] kernelShape() {
        return new long[] {outChannels, inChannels, kernel, kernel};
    }

    /** @return the output shape {@code [N, Cout, Hout, Wout]} */
    long[] outputShape() {
        return new long[] {batch, outChannels, outHeight(), outWidth()};
    }

    /** @return the shape of the input array: {@link #inputShape} or its channel-blocked form */
    long[] inputArrayShape() {
        return ChannelBlocks.arrayShape(inputShape(), blockedInput);
    }

    /** @return the shape of the output array: {@link #outputShape} or its channel-blocked form */
    long[] outputArrayShape() {
        return ChannelBlocks.arrayShape(outputShape(), blockedOutput);
    }

    /** @return whether either side is channel-blocked, which only the oneDNN backend serves */
    boolean anyBlocked() {
        return blockedInput || blockedOutput;
    }
}
