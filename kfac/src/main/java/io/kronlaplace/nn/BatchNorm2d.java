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
        long n = x.size(0);
        long area = x.size(2) * x.size(3);
        // Work on the [N*C, H*W] view: every row is one (example, channel) plane, contiguous in NCHW, so the
        // per-channel arithmetic is a column-vector broadcast over rows instead of a strided walk along C.
        INDArray rows = Tensors.dense(x).reshape('c', n * channels, area);
        INDArray mean;
        INDArray var;
        if (mode == Mode.TRAIN) {
            long m = n * area;
            if (m < 2) {
                throw new IllegalArgumentException("BatchNorm2d '" + path() + "': training needs more than one value "
                        + "per channel, got input shape " + java.util.Arrays.toString(x.shape()));
            }
            mean = perChannel(rows.sum(1), n).divi(m);
        } else {
            mean = runningMean;
        }
        INDArray xhat = rows.subColumnVector(tile(mean, n));
        if (mode == Mode.TRAIN) {
            long m = n * area;
            INDArray rowNorms = xhat.norm2(1);
            var = perChannel(rowNorms.muli(rowNorms), n).divi(m);
            runningMean.muli(1 - momentum).addi(mean.mul(momentum));
            runningVar.muli(1 - momentum).addi(var.mul(momentum * m / (m - 1.0)));
        } else {
            var = runningVar;
        }
        invStd = Transforms.pow(var.add(eps), -0.5, false);
        xhat.muliColumnVector(tile(invStd, n));
        normalized = xhat;
        cachedMode = mode;
        INDArray y = xhat.mulColumnVector(tile(scale.value(), n)).addiColumnVector(tile(shift.value(), n));
        return y.reshape('c', x.shape());
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray xhat = requireCached(normalized, this);
        long n = xhat.size(0) / channels;
        requireRows(gradOutput, n, context, this);
        long area = xhat.size(1);
        if (gradOutput.rank() != 4 || gradOutput.size(1) != channels
                || gradOutput.size(2) * gradOutput.size(3) != area) {
            throw new IllegalArgumentException("BatchNorm2d '" + path() + "': output gradient must be [rows, "
                    + channels + ", H, W] with H*W = " + area + ", got "
                    + java.util.Arrays.toString(gradOutput.shape()));
        }
        int copies = context.copies();
        INDArray g = Tensors.dense(gradOutput).reshape('c', copies * n * channels, area);
        INDArray gain = scale.value().mul(invStd);
        INDArray gradInput = g.mulColumnVector(tile(gain, copies * n));
        boolean train = cachedMode == Mode.TRAIN;
        if (!train && !context.parameterGradients()) {
            return gradInput.reshape('c', gradOutput.shape());
        }
        double perChannel = (double) n * area;
        INDArray product = Nd4j.createUninitialized(g.dataType(), xhat.shape());
        for (int c = 0; c < copies; c++) {
            INDArray gc = copies == 1 ? g : g.get(NDArrayIndex.interval(c * n * channels, (c + 1) * n * channels),
                    NDArrayIndex.all());
            INDArray sumG = perChannel(gc.sum(1), n);
            INDArray sumGx = perChannel(product.assign(gc).muli(xhat).sum(1), n);
            if (context.parameterGradients()) {
                scale.grad().addi(sumGx);
                shift.grad().addi(sumG);
            }
            if (train) {
                // Through the batch statistics: dx = gain * (g - mean(g) - xhat * mean(g * xhat)), means over
                // (N, H, W) within this copy.
                INDArray dc = copies == 1 ? gradInput : gradInput.get(
                        NDArrayIndex.interval(c * n * channels, (c + 1) * n * channels), NDArrayIndex.all());
                product.assign(xhat).muliColumnVector(tile(sumGx.muli(gain).divi(perChannel), n));
                dc.subi(product).subiColumnVector(tile(sumG.muli(gain).divi(perChannel), n));
            }
        }
        return gradInput.reshape('c', gradOutput.shape());
    }

    /** Sums a per-row vector of length N*C over the N examples: [N*C] to [C]. */
    private INDArray perChannel(INDArray perRow, long n) {
        return perRow.reshape('c', n, channels).sum(0);
    }

    /** A per-channel vector repeated for each of {@code n} examples, as a column of length n*C. */
    private INDArray tile(INDArray perChannel, long n) {
        return Nd4j.tile(perChannel.reshape(1, channels), Math.toIntExact(n), 1).reshape('c', n * channels, 1);
    }

    private static INDArray dense(INDArray x) {
        return x.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
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
        INDArray t = dense(tangent);
        long n = t.size(0);
        INDArray rows = t.reshape('c', n * channels, t.length() / (n * channels));
        return rows.mulColumnVector(tile(gain, n)).reshape('c', t.shape());
    }
}
