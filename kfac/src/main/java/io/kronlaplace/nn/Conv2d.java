package io.kronlaplace.nn;

import io.kronlaplace.linalg.ComputeKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Two-dimensional convolution on NCHW images with a square kernel, stride and symmetric zero padding:
 * {@code z[n, o, oh, ow] = sum_{c, i, j} W[o, c, i, j] x[n, c, oh*s - p + i, ow*s - p + j] + b[o]}.
 *
 * <p>The kernel is stored {@code [Cout, Cin, k, k]} (OIHW), so its row-major matrix view {@code Cout x (Cin*k*k)} is
 * the K-FAC weight matrix and {@link #inputPositions} gives the matching inputs (im2col patches) at each of the
 * {@code R = Hout * Wout} shared output positions (see {@link WeightLayer}). Forward and backward run on a
 * {@link ConvolutionBackend}: oneDNN 3 for float32, libnd4j's native ops for float64 (docs/onednn.md).
 */
public final class Conv2d extends Module implements WeightLayer {
    /** libnd4j argument: explicit padding (not SAME). */
    private static final int EXPLICIT_PADDING = 0;

    private final long inChannels;
    private final long outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;
    private INDArray input;

    /**
     * @param inChannels  input channels Cin
     * @param outChannels output channels Cout
     * @param kernel      kernel height and width k
     * @param stride      step between output positions, in input pixels
     * @param padding     zero rows/columns added on every side
     * @param bias        whether to add a per-channel bias
     * @param init        kernel initialisation (fan-in Cin*k*k, fan-out Cout*k*k); the bias starts at zero
     */
    public Conv2d(long inChannels, long outChannels, int kernel, int stride, int padding, boolean bias, Init init) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("Conv2d needs positive channels, kernel and stride and non-negative "
                    + "padding, got inChannels=" + inChannels + ", outChannels=" + outChannels + ", kernel=" + kernel
                    + ", stride=" + stride + ", padding=" + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        long area = (long) kernel * kernel;
        this.weight = new Parameter("weight", Parameter.Kind.WEIGHT,
                init.weight(new long[] {outChannels, inChannels, kernel, kernel}, inChannels * area,
                        outChannels * area));
        this.bias = bias ? new Parameter("bias", Parameter.Kind.BIAS, init.zeros(outChannels)) : null;
    }

    @Override
    protected List<Parameter> ownParameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(weight);
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }

    /**
     * Input channels Cin.
     *
     * @return Cin, the size of dimension 1 of the input
     */
    public long inChannels() {
        return inChannels;
    }

    /**
     * Output channels Cout.
     *
     * @return Cout, the size of dimension 1 of the output
     */
    public long outChannels() {
        return outChannels;
    }

    /**
     * Kernel height in pixels (equal to the width: kernels are square).
     *
     * @return k
     */
    public int kernelH() {
        return kernel;
    }

    /**
     * Kernel width in pixels.
     *
     * @return k, equal to {@link #kernelH()}
     */
    public int kernelW() {
        return kernel;
    }

    /**
     * Vertical stride in input pixels (equal to the horizontal stride).
     *
     * @return s
     */
    public int strideH() {
        return stride;
    }

    /**
     * Horizontal stride in input pixels.
     *
     * @return s, equal to {@link #strideH()}
     */
    public int strideW() {
        return stride;
    }

    /**
     * Zero rows added above and below the input.
     *
     * @return p, the padding on each of the two sides
     */
    public int padH() {
        return padding;
    }

    /**
     * Zero columns added left and right of the input.
     *
     * @return p, equal to {@link #padH()}
     */
    public int padW() {
        return padding;
    }

    /**
     * Output height and width for an input of {@code h x w} pixels: {@code (h + 2p - k) / s + 1} (floor).
     *
     * @param h input height in pixels
     * @param w input width in pixels
     * @return {@code {Hout, Wout}}
     * @throws IllegalArgumentException when the padded input is smaller than the kernel
     */
    public long[] outputSize(long h, long w) {
        if (h + 2L * padding < kernel || w + 2L * padding < kernel) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': input " + h + "x" + w + " with padding "
                    + padding + " is smaller than the " + kernel + "x" + kernel + " kernel");
        }
        return new long[] {(h + 2L * padding - kernel) / stride + 1, (w + 2L * padding - kernel) / stride + 1};
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also takes float32 channel-blocked maps {@code [N, Cin/16, H, W, 16]} (see {@link ChannelBlocking}) and then
     * gives channel-blocked output where Cout is a multiple of 16, NCHW output otherwise.
     */
    @Override
    public INDArray forward(INDArray x, Mode mode) {
        validateAnyLayout(x);
        input = x;
        return convolve(x, weight.value(), bias == null ? null : bias.value());
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray a = requireCached(input, this);
        requireRows(gradOutput, a.size(0), context, this);
        // an input-gradient pass may carry several output gradients per cached example (see BackwardContext)
        ConvolutionGeometry geometry = geometry(gradOutput.size(0), a, bias != null);
        long[] expected = geometry.outputArrayShape();
        if (!Arrays.equals(gradOutput.shape(), expected)) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': output gradient has shape "
                    + Arrays.toString(gradOutput.shape()) + ", expected " + Arrays.toString(expected));
        }
        if (context.tap() != null) {
            // taps read NCHW whatever layout the layers pass on
            context.observe(this, ChannelBlocks.nchw(a), ChannelBlocks.nchw(gradOutput));
        }
        INDArray g = Tensors.dense(gradOutput);
        ConvolutionBackend backend = ConvolutionBackend.forType(a.dataType());
        if (!context.parameterGradients()) {
            return backend.inputGradient(geometry, g, weight.value());
        }
        INDArray gradInput = Nd4j.createUninitialized(a.dataType(), a.shape());
        INDArray gradWeight = Nd4j.createUninitialized(a.dataType(), weight.value().shape());
        INDArray gradBias = bias == null ? null : Nd4j.createUninitialized(a.dataType(), outChannels);
        backend.gradients(geometry, Tensors.dense(a), weight.value(), bias == null ? null : bias.value(), g, gradInput,
                gradWeight, gradBias);
        weight.grad().addi(gradWeight);
        if (bias != null) {
            bias.grad().addi(gradBias);
        }
        return gradInput;
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray a = requireCached(input, this);
        if (!Arrays.equals(tangent.shape(), a.shape())) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': tangent has shape "
                    + Arrays.toString(tangent.shape()) + ", input was " + Arrays.toString(a.shape()));
        }
        if (tap != null) {
            tap.observe(this, ChannelBlocks.nchw(a), ChannelBlocks.nchw(tangent));
        }
        // the bias is constant in the input: the tangent is the bias-free convolution of the input tangent
        INDArray out = convolve(tangent, weight.value(), null);
        WeightTangent step = tap == null ? null : tap.weightTangent(this);
        if (step != null) {
            step.requireFits(this);
            // plus the output change of the weight step at the cached input: conv(a, dW) + db
            out.addi(convolve(a, step.weight(), step.bias()));
        }
        return out;
    }

    /** conv(x, w) + b through the backend for x's type; b may be null. */
    private INDArray convolve(INDArray x, INDArray w, INDArray b) {
        ConvolutionGeometry g = geometry(x.size(0), x, b != null);
        return ConvolutionBackend.forType(x.dataType()).forward(g, Tensors.dense(x), w, b);
    }

    /**
     * The geometry of a call on a batch of images of x's size, with or without a bias; channel-blocked input gives
     * channel-blocked output where the output channels fill whole blocks.
     */
    private ConvolutionGeometry geometry(long batch, INDArray x, boolean withBias) {
        outputSize(x.size(2), x.size(3));
        boolean blocked = ChannelBlocks.isBlocked(x);
        return new ConvolutionGeometry(batch, inChannels, x.size(2), x.size(3), outChannels, kernel, stride,
                padding, withBias, blocked, blocked && outChannels % ChannelBlocks.BLOCK == 0);
    }

    /** Output positions {@code R = Hout * Wout} for an NCHW input. */
    @Override
    public long positions(INDArray input) {
        validateInput(input);
        long[] hw = outputSize(input.size(2), input.size(3));
        return hw[0] * hw[1];
    }

    /**
     * The im2col patches {@code [N, R, Cin*k*k]}: positions {@code R = Hout*Wout} in row-major (oh, ow) order and
     * features in (channel, kernel row, kernel column) order, so that
     * {@code forward(x)[n, :, oh, ow] == W_mat @ inputPositions(x)[n, oh*Wout + ow, :] + b} with W_mat the kernel
     * viewed as {@code Cout x (Cin*k*k)}. Padding positions contribute zeros. Allocates N*R*Cin*k*k values.
     */
    @Override
    public INDArray inputPositions(INDArray input) {
        PositionMatrices cols = inputMatrices(input);
        INDArray positions = cols.positionsLast();
        cols.values().close();
        return positions;
    }

    /** The im2col patches in im2col's own {@code [N, Cin*k*k, R]} layout; allocates N*R*Cin*k*k values. */
    @Override
    public PositionMatrices inputMatrices(INDArray input) {
        validateInput(input);
        return featuresByPositions(unfold(input), input.size(0));
    }

    /**
     * col2im: each entry of the patch values is added back to the pixel it was read from; entries that read padding
     * are dropped.
     */
    @Override
    public INDArray inputPositionsAdjoint(INDArray values, long[] inputShape) {
        if (inputShape.length != 4 || inputShape[1] != inChannels) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': input shape " + Arrays.toString(inputShape)
                    + " is not [N, " + inChannels + ", H, W]");
        }
        long n = inputShape[0];
        long h = inputShape[2];
        long w = inputShape[3];
        long[] hw = outputSize(h, w);
        long[] expected = {n, hw[0] * hw[1], inFeatures()};
        if (!Arrays.equals(values.shape(), expected)) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': patch values have shape "
                    + Arrays.toString(values.shape()) + ", expected " + Arrays.toString(expected) + " for a " + h
                    + " x " + w + " input");
        }
        INDArray cols = values.reshape('c', n, hw[0], hw[1], inChannels, kernel, kernel).permute(0, 3, 4, 5, 1, 2)
                .dup('c');
        INDArray image = Nd4j.create(values.dataType(), n, inChannels, h, w);
        Nd4j.exec(DynamicCustomOp.builder("col2im")
                .addInputs(cols)
                .addOutputs(image)
                .addIntegerArguments(stride, stride, padding, padding, Math.toIntExact(h), Math.toIntExact(w), 1, 1,
                        EXPLICIT_PADDING)
                .build());
        return image;
    }

    /** The mean patch as one product of the image planes with the offsets' box matrix (see {@link ConvPatchMean}). */
    @Override
    public INDArray meanInput(INDArray input) {
        validateInput(input);
        return ConvPatchMean.of(this, input);
    }

    /**
     * Unfolds chunks of whole images in im2col's own {@code [n, Cin*k*k, R]} layout (no transposed copy) and frees
     * each chunk when the visitor returns.
     */
    @Override
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    public void forEachInputChunk(INDArray input, long maxElements, Consumer<PositionMatrices> visitor) {
        if (maxElements < 1) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': chunks need maxElements >= 1, got "
                    + maxElements);
        }
        long n = input.size(0);
        long chunk = Math.max(1, maxElements / (positions(input) * inFeatures()));
        // the chunks are freed one by one: inside a workspace they would all stay until it closes
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (long start = 0; start < n; start += chunk) {
                long end = Math.min(n, start + chunk);
                INDArray cols = unfold(start == 0 && end == n ? input
                        : input.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(),
                                NDArrayIndex.all()));
                visitor.accept(featuresByPositions(cols, end - start));
                cols.close();
            }
        }
    }

    /**
     * With stride 1, a kernel larger than 1 x 1 and a float32 or float64 input, the Gram from shifted products of the
     * image, never unfolding it (see {@link ConvPatchGram}). Strided convolutions unfold; so do 1 x 1 ones, whose
     * patches are the input itself and whose one shift would be a full GEMM where a SYRK does half the work.
     */
    @Override
    public boolean inputGram(INDArray input, long maxElements, Supplier<INDArray> target, ComputeKernels kernels) {
        validateInput(input);
        if (maxElements < 1) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': the input Gram needs maxElements >= 1, got "
                    + maxElements);
        }
        DataType type = input.dataType();
        if (stride != 1 || kernel == 1 || type != DataType.FLOAT && type != DataType.DOUBLE) {
            return false;
        }
        ConvPatchGram.into(this, input, maxElements, target.get(), kernels);
        return true;
    }

    /** NCHW arrays are channels by output locations per row: {@code [K, Cout, Hout*Wout]}, a view when dense. */
    @Override
    public PositionMatrices outputMatrices(INDArray outputLike) {
        Tensors.requireRank(outputLike, "Conv2d '" + path() + "' output-shaped array (N, C, H, W)", 4);
        Tensors.requireSize(outputLike, 1, outChannels, "Conv2d '" + path() + "' output channels");
        return new PositionMatrices(outputLike.reshape('c', outputLike.size(0), outChannels,
                outputLike.size(2) * outputLike.size(3)), PositionMatrices.Orientation.FEATURES_BY_POSITIONS);
    }

    /**
     * libnd4j's im2col of an input batch: {@code [N, Cin, k, k, Hout, Wout]} in the input's type, C order, so that
     * the {@code [N, Cin*k*k, Hout*Wout]} reshape is free; the caller may close it to free its memory at once.
     */
    private INDArray unfold(INDArray x) {
        INDArray input = Tensors.dense(x);
        long[] hw = outputSize(input.size(2), input.size(3));
        INDArray cols = Nd4j.create(input.dataType(), input.size(0), inChannels, kernel, kernel, hw[0], hw[1]);
        Nd4j.exec(DynamicCustomOp.builder("im2col")
                .addInputs(input)
                .addOutputs(cols)
                .addIntegerArguments(kernel, kernel, stride, stride, padding, padding, 1, 1, EXPLICIT_PADDING)
                .build());
        if (input != x) {
            input.close();
        }
        return cols;
    }

    private PositionMatrices featuresByPositions(INDArray cols, long rows) {
        return new PositionMatrices(cols.reshape(rows, inFeatures(), cols.size(4) * cols.size(5)),
                PositionMatrices.Orientation.FEATURES_BY_POSITIONS);
    }

    /** Checks an NCHW input, the only layout of the weight-layer views. */
    private void validateInput(INDArray x) {
        if (ChannelBlocks.isBlocked(x)) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': the weight-layer views take NCHW input "
                    + "(N, C, H, W), got a channel-blocked array " + Arrays.toString(x.shape()));
        }
        validateAnyLayout(x);
    }

    /** Checks an NCHW or channel-blocked input, what the forward pass takes. */
    private void validateAnyLayout(INDArray x) {
        ChannelBlocks.requireChannels(x, inChannels, "Conv2d '" + path() + "' input");
        if (x.dataType() != weight.value().dataType()) {
            throw new IllegalArgumentException("Conv2d '" + path() + "': input is " + x.dataType()
                    + " but weights are " + weight.value().dataType() + " (cast the network or the data)");
        }
        outputSize(x.size(2), x.size(3));
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public long inFeatures() {
        return inChannels * kernel * kernel;
    }

    @Override
    public long outFeatures() {
        return outChannels;
    }
}
