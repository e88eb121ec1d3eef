package io.kronlaplace.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch normalisation over NCHW feature maps (Ioffe and Szegedy 2015):
 * {@code y = gamma * (x - mu) / sqrt(var + eps) + beta} per channel.
 *
 * <p>In {@link Mode#TRAIN} mu and var are the batch statistics over (N, H, W) (biased variance), and the running
 * averages move by {@code momentum} towards them (the running variance uses the unbiased estimate, as PyTorch does).
 * In {@link Mode#EVAL} the running statistics are used. The backward pass differentiates whichever statistics the
 * forward pass used: in TRAIN mode mu and var depend on the whole batch, so each of k back-propagated copies is an
 * independent vector through the same linearisation, with batch means taken within its own copy.
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
    private INDArray runningMean;
    private INDArray runningVar;
    private INDArray normalized;
    private INDArray invStd;
    private Mode cachedMode;

    /** Batch normalisation with PyTorch's defaults (eps 1e-5, momentum 0.1), gamma = 1, beta = 0. */
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
    }

    public long channels() {
        return channels;
    }

    /** gamma, per channel. */
    public Parameter scale() {
        return scale;
    }

    /** beta, per channel. */
    public Parameter shift() {
        return shift;
    }

    /** The running mean per channel (live array). */
    public INDArray runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance per channel (live array). */
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
            normalized = null;
            invStd = null;
        }
    }

    @Override
    public INDArray forward(INDArray x, Mode mode) {
        String what = "BatchNorm2d '" + path() + "' input (N, C, H, W)";
        Tensors.requireRank(x, what, 4);
        Tensors.requireSize(x, 1, channels, what);
        if (x.dataType() != scale.value().dataType()) {
            throw new IllegalArgumentException("BatchNorm2d '" + path() + "': input is " + x.dataType()
                    + " but parameters are " + scale.value().dataType() + " (cast the network or the data)");
        }
        INDArray mean;
        INDArray var;
        if (mode == Mode.TRAIN) {
            long m = x.size(0) * x.size(2) * x.size(3);
            if (m < 2) {
                throw new IllegalArgumentException("BatchNorm2d '" + path() + "': training needs more than one value "
                        + "per channel, got input shape " + java.util.Arrays.toString(x.shape()));
            }
            mean = x.mean(0, 2, 3);
            var = x.var(false, 0, 2, 3);
            runningMean.muli(1 - momentum).addi(mean.mul(momentum));
            runningVar.muli(1 - momentum).addi(var.mul(momentum * m / (m - 1)));
        } else {
            mean = runningMean;
            var = runningVar;
        }
        invStd = Transforms.pow(var.add(eps), -0.5, false);
        normalized = Broadcast.sub(x, mean, Nd4j.createUninitialized(x.dataType(), x.shape()), 1);
        Broadcast.mul(normalized, invStd, normalized, 1);
        cachedMode = mode;
        INDArray y = Broadcast.mul(normalized, scale.value(), Nd4j.createUninitialized(x.dataType(), x.shape()), 1);
        return Broadcast.add(y, shift.value(), y, 1);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray xhat = requireCached(normalized, this);
        long n = xhat.size(0);
        requireRows(gradOutput, n, context, this);
        Tensors.requireSameTrailingShape(gradOutput, xhat, "BatchNorm2d '" + path() + "' output gradient");
        INDArray g = gradOutput;
        INDArray gain = scale.value().mul(invStd);
        if (context.parameterGradients()) {
            scale.grad().addi(g.mul(xhat).sum(0, 2, 3));
            shift.grad().addi(g.sum(0, 2, 3));
        }
        INDArray gradInput = Broadcast.mul(g, gain, Nd4j.createUninitialized(g.dataType(), g.shape()), 1);
        if (cachedMode == Mode.EVAL) {
            return gradInput;
        }
        // Through the batch statistics: dx = gain * (g - mean(g) - xhat * mean(g * xhat)), means over (N, H, W)
        // of each copy separately.
        double perChannel = (double) n * xhat.size(2) * xhat.size(3);
        for (int c = 0; c < context.copies(); c++) {
            INDArray gc = context.copies() == 1 ? g : g.get(NDArrayIndex.interval(c * n, (c + 1) * n));
            INDArray dc = context.copies() == 1 ? gradInput
                    : gradInput.get(NDArrayIndex.interval(c * n, (c + 1) * n));
            INDArray meanG = gc.sum(0, 2, 3).muli(gain).divi(perChannel);
            INDArray meanGx = gc.mul(xhat).sum(0, 2, 3).muli(gain).divi(perChannel);
            dc.subi(Broadcast.mul(xhat, meanGx, Nd4j.createUninitialized(g.dataType(), xhat.shape()), 1));
            Broadcast.sub(dc, meanG, dc, 1);
        }
        return gradInput;
    }

    /**
     * In {@link Mode#EVAL} the layer is affine per channel, so the tangent is scaled by {@code gamma / sqrt(var + eps)}.
     * In training mode the batch statistics depend on the input; that derivative is not provided.
     */
    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireCached(normalized, this);
        if (cachedMode != Mode.EVAL) {
            throw new IllegalStateException("BatchNorm2d '" + path() + "': forward-mode derivative needs the last "
                    + "forward pass in EVAL mode (batch statistics are not differentiated)");
        }
        INDArray gain = scale.value().mul(invStd);
        return Broadcast.mul(tangent, gain, Nd4j.createUninitialized(tangent.dataType(), tangent.shape()), 1);
    }
}
