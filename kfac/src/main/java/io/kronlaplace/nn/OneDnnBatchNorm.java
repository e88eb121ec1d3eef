package io.kronlaplace.nn;

import static io.kronlaplace.nn.OneDnn.SLOT_A;
import static io.kronlaplace.nn.OneDnn.SLOT_B;
import static io.kronlaplace.nn.OneDnn.SLOT_C;
import static io.kronlaplace.nn.OneDnn.channelBlocked;
import static io.kronlaplace.nn.OneDnn.outputAddress;
import static io.kronlaplace.nn.OneDnn.own;
import static io.kronlaplace.nn.OneDnn.plain;
import static io.kronlaplace.nn.OneDnn.unbound;
import static io.kronlaplace.nn.OneDnn.vector;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;

import io.kronlaplace.nn.OneDnn.Operand;
import io.kronlaplace.nn.OneDnn.Worker;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training-mode batch normalisation of float32 maps on oneDNN 3, for {@link BatchNorm2d}: the batch statistics, the
 * normalised output, and the gradients through the statistics. The kernels read channels in blocks of 16. Channel-
 * blocked maps ({@link ChannelBlocks}) are used in place; NCHW maps are reordered into that layout and back, which
 * still costs less than the several passes that libnd4j's element-wise ops make (docs/onednn.md).
 */
final class OneDnnBatchNorm {
    private OneDnnBatchNorm() {
    }

    /** What a prepared primitive depends on. */
    private record Shape(long batch, long channels, long height, long width, float eps, boolean blocked,
            boolean rectified) {
        long[] dims() {
            return new long[] {batch, channels, height, width};
        }
    }

    /**
     * Normalises x with its own statistics: {@code y = scale * (x - mean) / sqrt(var + eps) + shift} per channel,
     * mean and (biased) variance over (N, H, W).
     *
     * @param x        input {@code [N, C, H, W]} or its channel-blocked form, float32
     * @param scale    gamma {@code [C]}
     * @param shift    beta {@code [C]}
     * @param eps      added to the variance
     * @param y        receives the output, x's shape
     * @param mean     receives the batch mean {@code [C]}
     * @param variance receives the biased batch variance {@code [C]}
     * @param mask     null, or for a rectified output {@code max(y, 0)} ({@link BatchNorm2d#rectified}) receives
     *                 which entries are positive, in oneDNN's format: {@link #maskBytes} bytes, kept for
     *                 {@link #backward}
     */
    static void forward(INDArray x, INDArray scale, INDArray shift, double eps, INDArray y, INDArray mean,
            INDArray variance, INDArray mask) {
        Plan plan = plan(x, eps, mask != null);
        Worker worker = plan.worker;
        try (OneDnn.Call call = worker.call()) {
            plan.src.bind(worker, call.input(x));
            plan.dst.bind(worker, outputAddress(y));
            if (mask != null) {
                plan.mask.set_data_handle(mask.data().addressPointer());
            }
            plan.scale.bind(worker, call.input(scale));
            plan.shift.bind(worker, call.input(shift));
            plan.mean.bind(worker, outputAddress(mean));
            plan.variance.bind(worker, outputAddress(variance));
            plan.src.pull(worker);
            plan.forward.execute(worker.queue, plan.forwardArgs);
            plan.dst.push(worker);
        }
    }

    /**
     * Gradients of a training-mode forward pass, through the batch statistics:
     * {@code gx = scale / sqrt(var + eps) * (gy - mean(gy) - xhat * mean(gy * xhat))}, {@code gScale = sum(gy * xhat)},
     * {@code gShift = sum(gy)}, with xhat the normalised input and means and sums over (N, H, W).
     *
     * @param x        the forward pass's input
     * @param gy       output gradient, x's shape
     * @param scale    gamma {@code [C]}
     * @param mean     the forward pass's batch mean
     * @param variance the forward pass's biased batch variance
     * @param eps      added to the variance
     * @param gx       receives the input gradient, x's shape
     * @param gScale   receives the gradient of gamma {@code [C]}
     * @param gShift   receives the gradient of beta {@code [C]}
     * @param mask     null, or the forward pass's mask when its output was rectified; gy is then the gradient of the
     *                 rectified output, and passes only where that output was positive
     */
    static void backward(INDArray x, INDArray gy, INDArray scale, INDArray mean, INDArray variance, double eps,
            INDArray gx, INDArray gScale, INDArray gShift, INDArray mask) {
        Plan plan = plan(x, eps, mask != null);
        Worker worker = plan.worker;
        try (OneDnn.Call call = worker.call()) {
            if (mask != null) {
                plan.mask.set_data_handle(mask.data().addressPointer());
            }
            plan.src.bind(worker, call.input(x));
            plan.diffDst.bind(worker, call.input(gy));
            plan.diffSrc.bind(worker, outputAddress(gx));
            plan.scale.bind(worker, call.input(scale));
            plan.mean.bind(worker, call.input(mean));
            plan.variance.bind(worker, call.input(variance));
            plan.diffScale.bind(worker, outputAddress(gScale));
            plan.diffShift.bind(worker, outputAddress(gShift));
            plan.src.pull(worker);
            plan.diffDst.pull(worker);
            plan.backward.execute(worker.queue, plan.backwardArgs);
            plan.diffSrc.push(worker);
        }
    }

    /**
     * The size of the mask that a rectified training-mode pass over maps like x keeps between its forward and
     * backward passes.
     *
     * @param x   the forward pass's input
     * @param eps added to the variance
     * @return bytes to allocate for {@link #forward}'s mask
     */
    static long maskBytes(INDArray x, double eps) {
        return plan(x, eps, true).mask.get_desc().get_size();
    }

    private static Plan plan(INDArray x, double eps, boolean rectified) {
        Shape shape = new Shape(x.size(0), ChannelBlocks.channels(x), x.size(2), x.size(3), (float) eps,
                ChannelBlocks.isBlocked(x), rectified);
        return OneDnn.worker().plan(shape, Plan.class, worker -> new Plan(worker, shape));
    }

    /** The forward and backward primitives of one shape on one thread, with their operands. */
    private static final class Plan implements AutoCloseable {
        final Worker worker;
        final List<Pointer> owned = new ArrayList<>();
        final batch_normalization_forward forward;
        final batch_normalization_backward backward;
        final Operand src;
        final Operand dst;
        final Operand diffDst;
        final Operand diffSrc;
        final Operand scale;
        final Operand shift;
        final Operand mean;
        final Operand variance;
        final Operand diffScale;
        final Operand diffShift;
        final memory mask;
        final IntMemoryMap forwardArgs;
        final IntMemoryMap backwardArgs;

        Plan(Worker worker, Shape shape) {
            this.worker = worker;
            engine cpu = worker.cpu;
            memory.desc blocked = own(channelBlocked(shape.dims()), owned);
            // channel-blocked callers' maps are read and written in place, NCHW ones through a reorder each way
            memory.desc user = shape.blocked() ? blocked : own(plain(shape.dims()), owned);
            memory.desc perChannel = own(vector(shape.channels()), owned);
            int flags = dnnl.normalization_flags.use_scale.value | dnnl.normalization_flags.use_shift.value
                    | (shape.rectified() ? dnnl.normalization_flags.fuse_norm_relu.value : 0);
            try {
                batch_normalization_forward.primitive_desc forwardDesc = own(
                        new batch_normalization_forward.primitive_desc(cpu, dnnl.prop_kind.forward_training.value,
                                blocked, blocked, shape.eps(), flags, own(new primitive_attr(), owned), false),
                        owned);
                batch_normalization_backward.primitive_desc backwardDesc = own(
                        new batch_normalization_backward.primitive_desc(cpu, dnnl.prop_kind.backward.value, blocked,
                                blocked, blocked, shape.eps(), flags, forwardDesc, own(new primitive_attr(), owned),
                                false),
                        owned);
                this.forward = own(new batch_normalization_forward(forwardDesc), owned);
                this.backward = own(new batch_normalization_backward(backwardDesc), owned);
                this.mask = shape.rectified()
                        ? unbound(own(forwardDesc.workspace_desc(), owned), cpu, owned)
                        : null;
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("oneDNN has no batch normalisation for " + shape + ": "
                        + e.getMessage(), e);
            }
            this.src = new Operand(cpu, user, blocked, true, SLOT_A, owned);
            this.dst = new Operand(cpu, user, blocked, false, SLOT_B, owned);
            this.diffDst = new Operand(cpu, user, blocked, true, SLOT_B, owned);
            this.diffSrc = new Operand(cpu, user, blocked, false, SLOT_C, owned);
            this.scale = new Operand(cpu, perChannel, perChannel, true, SLOT_C, owned);
            this.shift = new Operand(cpu, perChannel, perChannel, true, SLOT_C, owned);
            this.mean = new Operand(cpu, perChannel, perChannel, true, SLOT_C, owned);
            this.variance = new Operand(cpu, perChannel, perChannel, true, SLOT_C, owned);
            this.diffScale = new Operand(cpu, perChannel, perChannel, false, SLOT_C, owned);
            this.diffShift = new Operand(cpu, perChannel, perChannel, false, SLOT_C, owned);
            this.forwardArgs = own(new IntMemoryMap(), owned);
            forwardArgs.put(DNNL_ARG_SRC, src.internal);
            forwardArgs.put(DNNL_ARG_DST, dst.internal);
            forwardArgs.put(DNNL_ARG_SCALE, scale.internal);
            forwardArgs.put(DNNL_ARG_SHIFT, shift.internal);
            forwardArgs.put(DNNL_ARG_MEAN, mean.internal);
            forwardArgs.put(DNNL_ARG_VARIANCE, variance.internal);
            this.backwardArgs = own(new IntMemoryMap(), owned);
            backwardArgs.put(DNNL_ARG_SRC, src.internal);
            backwardArgs.put(DNNL_ARG_DIFF_DST, diffDst.internal);
            backwardArgs.put(DNNL_ARG_SCALE, scale.internal);
            backwardArgs.put(DNNL_ARG_MEAN, mean.internal);
            backwardArgs.put(DNNL_ARG_VARIANCE, variance.internal);
            backwardArgs.put(DNNL_ARG_DIFF_SRC, diffSrc.internal);
            backwardArgs.put(DNNL_ARG_DIFF_SCALE, diffScale.internal);
            backwardArgs.put(DNNL_ARG_DIFF_SHIFT, diffShift.internal);
            if (mask != null) {
                forwardArgs.put(DNNL_ARG_WORKSPACE, mask);
                backwardArgs.put(DNNL_ARG_WORKSPACE, mask);
            }
        }

        @Override
        public void close() {
            OneDnn.free(owned);
        }
    }
}
