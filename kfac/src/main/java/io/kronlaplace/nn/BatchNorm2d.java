package io.kronlaplace.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Batch normalisation over NCHW feature maps (Ioffe and Szegedy 2015):
 * {@code y = gamma * (x - mu) / sqrt(var + eps) + beta} per channel.
 *
 * <p>In {@link Mode#TRAIN} mu and var are the batch statistics over (N, H, W) (biased variance), and the running
 * averages move by {@code momentum} towards them (the running variance uses the unbiased estimate, as PyTorch does).
 * In {@link Mode#EVAL} the running statistics are used. The backward pass differentiates whichever statistics the
 * forward pass used: in TRAIN mode mu and var depend on the whole batch, so each of k back-propagated copies is an
 * independent vector through the same linearisation, with batch means taken within its own copy.
 *
 * <p>{@link #rectified} makes the layer {@code max(0, y)}: batch normalisation and a {@link ReLU} as one layer, which
 * oneDNN runs fused, one pass over the map each way instead of two.
 *
 * <p>float32 training-mode passes run on oneDNN 3 ({@link OneDnnBatchNorm}) unless {@link OneDnn#PROPERTY} turns it
 * off; everything else runs on libnd4j's element-wise ops (docs/onednn.md).
 */
public final class BatchNorm2d extends Module {
    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;
    /** PyTorch's default running-average momentum. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final long channels;
    private final double eps;
    private final double momentum;
    private final Parameter scale;
    private final Parameter shift;
    private final boolean rectified;
    private INDArray runningMean;
    private INDArray runningVar;
    /** The input minus the mean the last forward pass used, as [N*C, H*W] rows; made on demand after oneDNN. */
    private INDArray centered;
    /** A training-mode float32 forward pass on oneDNN: its input and batch statistics (float32 [C]), else null. */
    private INDArray input;
    private INDArray batchMean;
    private INDArray batchVariance;
    /** 1 / sqrt(var + eps) per channel, from the statistics the last forward pass used. */
    private double[] invStd;
    /** Columns of N and of H*W ones for the per-channel sums, outside any workspace. */
    private INDArray onesN;
    private INDArray onesArea;
    private Mode cachedMode;
    /** Whether the last forward pass took channel-blocked maps, and so gives and takes that layout. */
    private boolean blockedMaps;
    /** A rectified layer's last output, whose positive entries pass gradients and tangents; else null. */
    private INDArray output;
    /** A rectified oneDNN training pass's record of the positive outputs, in oneDNN's format; else null. */
    private INDArray positiveMask;

    /**
     * Batch normalisation with PyTorch's defaults (eps 1e-5, momentum 0.1), gamma = 1, beta = 0.
     *
     * @param channels number of channels C, at least 1
     * @param type     floating-point type of parameters and running statistics
     * @throws IllegalArgumentException when {@code channels < 1} or the type is not floating-point
     */
    public BatchNorm2d(long channels, DataType type) {
        this(channels, DEFAULT_EPS, DEFAULT_MOMENTUM, type);
    }

    /**
     * @param channels number of channels C
     * @param eps      added to the variance before the square root
     * @param momentum weight of the current batch in the running averages, in (0, 1]
     * @param type     floating-point type of parameters and running statistics
     */
    public BatchNorm2d(long channels, double eps, double momentum, DataType type) {
        this(channels, eps, momentum, type, false);
    }

    /**
     * Batch normalisation followed by a rectifier, {@code max(0, gamma * (x - mu) / sqrt(var + eps) + beta)}, with
     * PyTorch's defaults (eps 1e-5, momentum 0.1): the same function, parameters and running statistics as a
     * {@code BatchNorm2d} and a {@link ReLU} in sequence, in one layer. float32 training-mode passes run both on
     * oneDNN in one pass over the map each way; the gradient passes where the output is positive.
     *
     * @param channels number of channels C, at least 1
     * @param type     floating-point type of parameters and running statistics
     * @return a new rectified layer with gamma = 1, beta = 0
     * @throws IllegalArgumentException when {@code channels < 1} or the type is not floating-point
     */
    public static BatchNorm2d rectified(long channels, DataType type) {
        return new BatchNorm2d(channels, DEFAULT_EPS, DEFAULT_MOMENTUM, type, true);
    }

    private BatchNorm2d(long channels, double eps, double momentum, DataType type, boolean rectified) {
        if (channels < 1 || !(eps > 0) || !(momentum > 0 && momentum <= 1) || !type.isFPType()) {
            throw new IllegalArgumentException("BatchNorm2d needs channels >= 1, eps > 0, momentum in (0, 1] and a "
                    + "floating-point type, got channels=" + channels + ", eps=" + eps + ", momentum=" + momentum
                    + ", type=" + type);
        }
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.scale = new Parameter("weight", Parameter.Kind.NORM_SCALE, Nd4j.ones(type, channels));
        this.shift = new Parameter("bias", Parameter.Kind.NORM_SHIFT, Nd4j.zeros(type, channels));
        this.runningMean = Nd4j.zeros(type, channels);
        this.runningVar = Nd4j.ones(type, channels);
        this.rectified = rectified;
    }

    /**
     * Whether the output is rectified, {@code max(0, y)} ({@link #rectified}).
     *
     * @return true for a layer made by {@link #rectified}
     */
    public boolean isRectified() {
        return rectified;
    }

    /**
     * Number of normalised channels C.
     *
     * @return C, the size of dimension 1 of the input
     */
    public long channels() {
        return channels;
    }

    /**
     * gamma, per channel.
     *
     * @return the live scale parameter, length C
     */
    public Parameter scale() {
        return scale;
    }

    /**
     * beta, per channel.
     *
     * @return the live shift parameter, length C
     */
    public Parameter shift() {
        return shift;
    }

    /**
     * The running mean per channel (live array).
     *
     * @return the running mean, length C, in the parameters' type; replaced by {@link #castTo}
     */
    public INDArray runningMean() {
        return runningMean;
    }

    /**
     * The running (unbiased) variance per channel (live array).
     *
     * @return the running variance, length C, in the parameters' type; replaced by {@link #castTo}
     */
    public INDArray runningVar() {
        return runningVar;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(scale, shift);
    }

    @Override
    protected Map<String, INDArray> ownBuffers() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("running_mean", runningMean);
        out.put("running_var", runningVar);
        return out;
    }

    @Override
    public void castTo(DataType type) {
        super.castTo(type);
        if (runningMean.dataType() != type) {
            runningMean = runningMean.castTo(type);
            runningVar = runningVar.castTo(type);
            forgetForwardPass();
        }
    }

    private void forgetForwardPass() {
        centered = null;
        invStd = null;
        input = null;
        batchMean = null;
        batchVariance = null;
        output = null;
        positiveMask = null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also takes float32 channel-blocked maps {@code [N, C/16, H, W, 16]} (see {@link ChannelBlocking}) and then
     * gives its output, and takes its gradients and tangents, in that layout.
     */
    @Override
    public INDArray forward(INDArray x, Mode mode) {
        ChannelBlocks.requireChannels(x, channels, "BatchNorm2d '" + path() + "' input");
        DataType type = x.dataType();
        if (type != scale.value().dataType()) {
            throw new IllegalArgumentException("BatchNorm2d '" + path() + "': input is " + type
                    + " but parameters are " + scale.value().dataType() + " (cast the network or the data)");
        }
        long n = x.size(0);
        long area = x.size(2) * x.size(3);
        long m = n * area;
        if (mode == Mode.TRAIN && m < 2) {
            throw new IllegalArgumentException("BatchNorm2d '" + path() + "': training needs more than one value "
                    + "per channel, got input shape " + java.util.Arrays.toString(x.shape()));
        }
        blockedMaps = ChannelBlocks.isBlocked(x);
        if (mode == Mode.TRAIN && type == DataType.FLOAT && OneDnn.enabled()) {
            return forwardOnOneDnn(x, m);
        }
        // evaluation mode and float64 keep libnd4j's passes, on an NCHW copy of blocked maps
        INDArray y = ChannelBlocks.viaNchw(x, nchw -> forwardNchw(nchw, mode, m));
        if (rectified) {
            output = ReLU.rectify(y);
            return output;
        }
        return y;
    }

    private INDArray forwardNchw(INDArray x, Mode mode, long m) {
        DataType type = x.dataType();
        long n = x.size(0);
        long area = x.size(2) * x.size(3);
        // Work on the [N*C, H*W] view: every row is one (example, channel) plane, contiguous in NCHW, so the
        // per-channel arithmetic is a column-vector broadcast over rows instead of a strided walk along C. Each
        // full-size pass writes into an uninitialised buffer or in place, sums are BLAS matrix-vector products with
        // ones vectors (libnd4j's reductions add one element after another, several times slower), and
        // the arithmetic on per-channel values runs here on the host, where it costs less than one native call.
        INDArray rows = Tensors.dense(x).reshape('c', n * channels, area);
        double[] mean = mode == Mode.TRAIN ? scaled(channelSums(rows, n), 1.0 / m) : runningMean.toDoubleVector();
        INDArray xc = Nd4j.createUninitialized(type, n * channels, area);
        Nd4j.getExecutioner().exec(new BroadcastSubOp(rows, column(mean, n, type), xc, 0));
        INDArray y = Nd4j.createUninitialized(type, n * channels, area);
        double[] var;
        if (mode == Mode.TRAIN) {
            // y's buffer holds the squared deviations until y is written
            Nd4j.getExecutioner().exec(new Square(xc, y));
            var = scaled(channelSums(y, n), 1.0 / m);
            updateRunningStatistics(mean, var, m);
        } else {
            var = runningVar.toDoubleVector();
        }
        forgetForwardPass();
        invStd = inverseStd(var);
        centered = xc;
        cachedMode = mode;
        Nd4j.getExecutioner().exec(new BroadcastMulOp(xc, column(gain(), n, type), y, 0));
        Nd4j.getExecutioner().exec(new BroadcastAddOp(y, column(shift.value().toDoubleVector(), n, type), y, 0));
        return y.reshape('c', x.shape());
    }

    /**
     * Training-mode forward pass of a float32 batch on oneDNN; the backward pass of one output gradient per example
     * runs there too, others get the centred input on demand ({@link #centered()}).
     */
    private INDArray forwardOnOneDnn(INDArray x, long m) {
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        INDArray mean = Nd4j.createUninitialized(DataType.FLOAT, channels);
        INDArray variance = Nd4j.createUninitialized(DataType.FLOAT, channels);
        INDArray mask = rectified ? Nd4j.createUninitialized(DataType.INT8, OneDnnBatchNorm.maskBytes(x, eps)) : null;
        OneDnnBatchNorm.forward(x, scale.value(), shift.value(), eps, y, mean, variance, mask);
        double[] var = variance.toDoubleVector();
        updateRunningStatistics(mean.toDoubleVector(), var, m);
        forgetForwardPass();
        invStd = inverseStd(var);
        input = x;
        batchMean = mean;
        batchVariance = variance;
        cachedMode = Mode.TRAIN;
        if (rectified) {
            output = y;
            positiveMask = mask;
        }
        return y;
    }

    /** Moves the running averages towards a batch's mean and (biased) variance over m values per channel. */
    private void updateRunningStatistics(double[] mean, double[] var, long m) {
        double[] newMean = runningMean.toDoubleVector();
        double[] newVar = runningVar.toDoubleVector();
        for (int c = 0; c < channels; c++) {
            newMean[c] = (1 - momentum) * newMean[c] + momentum * mean[c];
            newVar[c] = (1 - momentum) * newVar[c] + momentum * m / (m - 1.0) * var[c];
        }
        runningMean.assign(Nd4j.createFromArray(newMean));
        runningVar.assign(Nd4j.createFromArray(newVar));
    }

    private double[] inverseStd(double[] var) {
        double[] inverse = new double[var.length];
        for (int c = 0; c < channels; c++) {
            inverse[c] = 1 / Math.sqrt(var[c] + eps);
        }
        return inverse;
    }

    /** The cached centred input as [N*C, H*W] rows, made from the oneDNN pass's input and mean when needed. */
    private INDArray centered() {
        if (centered == null && input != null) {
            long n = input.size(0);
            INDArray rows = Tensors.dense(ChannelBlocks.nchw(input)).reshape('c', n * channels,
                    input.size(2) * input.size(3));
            centered = Nd4j.createUninitialized(rows.dataType(), rows.shape());
            Nd4j.getExecutioner().exec(new BroadcastSubOp(rows, column(batchMean.toDoubleVector(), n,
                    rows.dataType()), centered, 0));
        }
        return requireCached(centered, this);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        if (input != null && gradOutput.size(0) == input.size(0)) {
            return backwardOnOneDnn(gradOutput, context);
        }
        INDArray g = ChannelBlocks.requireLayout(gradOutput, blockedMaps, "BatchNorm2d '" + path()
                + "' output gradient");
        if (rectified) {
            INDArray y = requireCached(output, this);
            requireRows(g, y.size(0), context, this);
            g = ReLU.passWherePositive(y, g, "BatchNorm2d '" + path() + "' output gradient");
        }
        return ChannelBlocks.viaNchw(g, nchw -> backwardNchw(nchw, context));
    }

    private INDArray backwardNchw(INDArray gradOutput, BackwardContext context) {
        INDArray xc = centered();
        long n = xc.size(0) / channels;
        requireRows(gradOutput, n, context, this);
        long area = xc.size(1);
        if (gradOutput.rank() != 4 || gradOutput.size(1) != channels
                || gradOutput.size(2) * gradOutput.size(3) != area) {
            throw new IllegalArgumentException("BatchNorm2d '" + path() + "': output gradient must be [rows, "
                    + channels + ", H, W] with H*W = " + area + ", got "
                    + java.util.Arrays.toString(gradOutput.shape()));
        }
        int copies = context.copies();
        DataType type = xc.dataType();
        INDArray g = Tensors.dense(gradOutput).reshape('c', copies * n * channels, area);
        double[] gain = gain();
        INDArray gradInput = Nd4j.createUninitialized(type, g.shape());
        boolean train = cachedMode == Mode.TRAIN;
        if (!train && !context.parameterGradients()) {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(g, column(gain, copies * n, type), gradInput, 0));
            return gradInput.reshape('c', gradOutput.shape());
        }
        double m = (double) n * area;
        for (int copy = 0; copy < copies; copy++) {
            INDArray gc = copies == 1 ? g : g.get(
                    NDArrayIndex.interval(copy * n * channels, (copy + 1) * n * channels), NDArrayIndex.all());
            INDArray dc = copies == 1 ? gradInput : gradInput.get(
                    NDArrayIndex.interval(copy * n * channels, (copy + 1) * n * channels), NDArrayIndex.all());
            double[] sumG = channelSums(gc, n);
            // dc holds g * (x - mu) until the input gradient is written into it
            Nd4j.getExecutioner().exec(new MulOp(gc, xc, dc));
            double[] sumGx = channelSums(dc, n);
            for (int c = 0; c < channels; c++) {
                sumGx[c] *= invStd[c];
            }
            if (context.parameterGradients()) {
                scale.grad().addi(Nd4j.createFromArray(sumGx).castTo(type));
                shift.grad().addi(Nd4j.createFromArray(sumG).castTo(type));
            }
            if (train) {
                // Through the batch statistics: dx = gain * (g - mean(g) - xhat * mean(g * xhat)), means over
                // (N, H, W) within this copy, with xhat = (x - mu) * invStd; as passes over the rows,
                // dx = (g - (x - mu) * a) * gain + b.
                double[] a = new double[gain.length];
                double[] b = new double[gain.length];
                for (int c = 0; c < channels; c++) {
                    a[c] = sumGx[c] * invStd[c] / m;
                    b[c] = -gain[c] * sumG[c] / m;
                }
                Nd4j.getExecutioner().exec(new BroadcastMulOp(xc, column(a, n, type), dc, 0));
                dc.rsubi(gc);
                Nd4j.getExecutioner().exec(new BroadcastMulOp(dc, column(gain, n, type), dc, 0));
                Nd4j.getExecutioner().exec(new BroadcastAddOp(dc, column(b, n, type), dc, 0));
            } else {
                Nd4j.getExecutioner().exec(new BroadcastMulOp(gc, column(gain, n, type), dc, 0));
            }
        }
        return gradInput.reshape('c', gradOutput.shape());
    }

    /** One output gradient per example after a oneDNN forward pass: the whole backward pass on oneDNN. */
    private INDArray backwardOnOneDnn(INDArray gradOutput, BackwardContext context) {
        requireRows(gradOutput, input.size(0), context, this);
        if (!java.util.Arrays.equals(gradOutput.shape(), input.shape())) {
            throw new IllegalArgumentException("BatchNorm2d '" + path() + "': output gradient must have the input's "
                    + "shape " + java.util.Arrays.toString(input.shape()) + ", got "
                    + java.util.Arrays.toString(gradOutput.shape()));
        }
        INDArray gradInput = Nd4j.createUninitialized(DataType.FLOAT, input.shape());
        INDArray gradScale = Nd4j.createUninitialized(DataType.FLOAT, channels);
        INDArray gradShift = Nd4j.createUninitialized(DataType.FLOAT, channels);
        OneDnnBatchNorm.backward(input, gradOutput, scale.value(), batchMean, batchVariance, eps, gradInput, gradScale,
                gradShift, positiveMask);
        if (context.parameterGradients()) {
            scale.grad().addi(gradScale);
            shift.grad().addi(gradShift);
        }
        return gradInput;
    }

    /** gamma / sqrt(var + eps) per channel, with the statistics of the last forward pass. */
    private double[] gain() {
        double[] gain = scale.value().toDoubleVector();
        for (int c = 0; c < gain.length; c++) {
            gain[c] *= invStd[c];
        }
        return gain;
    }

    /**
     * Per-channel sums of [N*C, H*W] rows: {@code ones(N)^T @ X} with X as an [N, C*H*W] matrix, then that [C, H*W]
     * result times {@code ones(H*W)}. The first product reads every value once along long rows, which BLAS sums
     * faster than the short rows of small feature maps.
     */
    private double[] channelSums(INDArray rows, long n) {
        DataType type = rows.dataType();
        long area = rows.size(1);
        onesN = cachedOnes(onesN, n, type);
        onesArea = cachedOnes(onesArea, area, type);
        INDArray perPosition = Nd4j.createUninitialized(type, 1, channels * area);
        Nd4j.gemm(onesN.reshape(1, n), rows.reshape('c', n, channels * area), perPosition, false, false, 1.0, 0.0);
        INDArray sums = Nd4j.createUninitialized(type, channels, 1);
        Nd4j.gemm(perPosition.reshape('c', channels, area), onesArea, sums, false, false, 1.0, 0.0);
        return sums.toDoubleVector();
    }

    /** {@code cached} when it is a ones column of this length and type, otherwise a new one outside any workspace. */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    private static INDArray cachedOnes(INDArray cached, long length, DataType type) {
        if (cached != null && cached.length() == length && cached.dataType() == type) {
            return cached;
        }
        // kept across calls, so it must not live in a workspace that a step's end recycles
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.ones(type, length, 1);
        }
    }

    private static double[] scaled(double[] v, double factor) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return v;
    }

    /** A per-channel vector repeated for each of {@code n} examples, as an [n*C, 1] column of the given type. */
    private static INDArray column(double[] perChannel, long n, DataType type) {
        int c = perChannel.length;
        int length = Math.toIntExact(n * c);
        if (type == DataType.DOUBLE) {
            double[] v = new double[length];
            for (int i = 0; i < length; i++) {
                v[i] = perChannel[i % c];
            }
            return Nd4j.createFromArray(v).reshape(length, 1);
        }
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) perChannel[i % c];
        }
        INDArray column = Nd4j.createFromArray(v).reshape(length, 1);
        return type == DataType.FLOAT ? column : column.castTo(type);
    }

    private static INDArray dense(INDArray x) {
        return x.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
    }

    /**
     * In {@link Mode#EVAL} the layer is affine per channel, so the tangent is scaled by {@code gamma / sqrt(var + eps)}
     * (and, when rectified, passes where the output is positive). In training mode the batch statistics depend on the
     * input; that derivative is not provided.
     */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireCached(centered, this);
        if (cachedMode != Mode.EVAL) {
            throw new IllegalStateException("BatchNorm2d '" + path() + "': forward-mode derivative needs the last "
                    + "forward pass in EVAL mode (batch statistics are not differentiated)");
        }
        INDArray t = ChannelBlocks.requireLayout(tangent, blockedMaps, "BatchNorm2d '" + path() + "' tangent");
        INDArray scaled = ChannelBlocks.viaNchw(t, this::scaleByGain);
        return rectified
                ? ReLU.passWherePositive(requireCached(output, this), scaled, "BatchNorm2d '" + path() + "' tangent")
                : scaled;
    }

    private INDArray scaleByGain(INDArray tangent) {
        INDArray t = dense(tangent);
        long n = t.size(0);
        INDArray rows = t.reshape('c', n * channels, t.length() / (n * channels));
        INDArray out = Nd4j.createUninitialized(t.dataType(), rows.shape());
        Nd4j.getExecutioner().exec(new BroadcastMulOp(rows, column(gain(), n, t.dataType()), out, 0));
        return out.reshape('c', t.shape());
    }
}
