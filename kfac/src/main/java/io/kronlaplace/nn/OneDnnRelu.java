package io.kronlaplace.nn;

import static io.kronlaplace.nn.OneDnn.outputAddress;
import static io.kronlaplace.nn.OneDnn.own;
import static io.kronlaplace.nn.OneDnn.unbound;
import static io.kronlaplace.nn.OneDnn.vector;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import io.kronlaplace.nn.OneDnn.Worker;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rectifier of float32 arrays on oneDNN 3, for {@link ReLU} and the rectified {@link FixupBias}:
 * {@code y = max(x, 0)}, {@code y = max(x + s, 0)} for a scalar s, and the masked gradient
 * {@code gx = gy where y > 0, else 0}, each one pass over memory. libnd4j needs two passes each way (a copy and an
 * in-place rectifier; a sign mask and a product), and these maps are among the largest arrays of a training step.
 *
 * <p>Element-wise, so the layout does not matter: arrays are described as flat vectors, which covers NCHW and
 * channel-blocked maps ({@link ChannelBlocks}) and any other shape alike. The mask is read from the output (oneDNN's
 * {@code eltwise_relu_use_dst_for_bwd}), so the layer keeps only its output.
 */
final class OneDnnRelu {
    private OneDnnRelu() {
    }

    /** What a prepared primitive depends on: the number of entries. */
    private record Length(long entries) {
    }

    /**
     * {@code y = max(x, 0)}.
     *
     * @param x input, float32, any shape
     * @param y receives the output: float32, x's length, owning a dense buffer
     */
    static void forward(INDArray x, INDArray y) {
        Plan plan = plan(x.length());
        Worker worker = plan.worker;
        try (OneDnn.Call call = worker.call()) {
            plan.src.set_data_handle(call.input(x));
            plan.dst.set_data_handle(outputAddress(y));
            plan.forward.execute(worker.queue, plan.forwardArgs);
        }
    }

    /**
     * {@code y = max(x + s, 0)} for a scalar s, in one pass: oneDNN's binary addition with the rectifier as its
     * post-op. The shift is read at the call, so a learned s needs no new primitive.
     *
     * @param x     input, float32, any shape
     * @param shift s, a float32 array of one entry
     * @param y     receives the output: float32, x's length, owning a dense buffer
     */
    static void shiftedForward(INDArray x, INDArray shift, INDArray y) {
        Plan plan = plan(x.length());
        Worker worker = plan.worker;
        binary add = plan.shiftedForward();
        try (OneDnn.Call call = worker.call()) {
            plan.src.set_data_handle(call.input(x));
            plan.shift.set_data_handle(call.input(shift));
            plan.dst.set_data_handle(outputAddress(y));
            add.execute(worker.queue, plan.shiftedArgs);
        }
    }

    /**
     * The gradient through the rectifier for {@code copies} vectors per example: block c of {@code gy} (its
     * {@code y.length()} entries from {@code c * y.length()} on) masked by y into the same block of {@code gx}.
     *
     * @param y  the forward pass's output, float32
     * @param gy output gradients or tangents, float32, {@code copies} times y's length, copy-major
     * @param gx receives the input gradients: gy's length, owning a dense buffer
     */
    static void backward(INDArray y, INDArray gy, INDArray gx) {
        long entries = y.length();
        Plan plan = plan(entries);
        Worker worker = plan.worker;
        try (OneDnn.Call call = worker.call()) {
            plan.dst.set_data_handle(call.input(y));
            FloatPointer from = new FloatPointer(call.input(gy));
            FloatPointer to = new FloatPointer(outputAddress(gx));
            for (long first = 0; first < gy.length(); first += entries) {
                plan.diffDst.set_data_handle(from.getPointer(first));
                plan.diffSrc.set_data_handle(to.getPointer(first));
                plan.backward.execute(worker.queue, plan.backwardArgs);
            }
        }
    }

    private static Plan plan(long entries) {
        Length length = new Length(entries);
        return OneDnn.worker().plan(length, Plan.class, worker -> new Plan(worker, length));
    }

    /**
     * The primitives of one length on one thread, with their memory objects: the rectifier each way, and the shifted
     * rectifier, made on first use.
     */
    private static final class Plan implements AutoCloseable {
        final Worker worker;
        final Length length;
        final List<Pointer> owned = new ArrayList<>();
        final memory.desc flat;
        final memory.desc scalar;
        final eltwise_forward forward;
        final eltwise_backward backward;
        final memory src;
        final memory dst;
        final memory diffDst;
        final memory diffSrc;
        final memory shift;
        final IntMemoryMap forwardArgs;
        final IntMemoryMap backwardArgs;
        final IntMemoryMap shiftedArgs;
        private binary shifted;

        Plan(Worker worker, Length length) {
            this.worker = worker;
            this.length = length;
            this.flat = own(vector(length.entries()), owned);
            this.scalar = own(vector(1), owned);
            int algorithm = dnnl.algorithm.eltwise_relu_use_dst_for_bwd.value;
            try {
                eltwise_forward.primitive_desc forwardDesc = own(new eltwise_forward.primitive_desc(worker.cpu,
                        dnnl.prop_kind.forward_training.value, algorithm, flat, flat), owned);
                eltwise_backward.primitive_desc backwardDesc = own(new eltwise_backward.primitive_desc(worker.cpu,
                        algorithm, flat, flat, flat, forwardDesc), owned);
                this.forward = own(new eltwise_forward(forwardDesc), owned);
                this.backward = own(new eltwise_backward(backwardDesc), owned);
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("oneDNN has no rectifier for " + length + ": " + e.getMessage(), e);
            }
            this.src = unbound(flat, worker.cpu, owned);
            this.dst = unbound(flat, worker.cpu, owned);
            this.diffDst = unbound(flat, worker.cpu, owned);
            this.diffSrc = unbound(flat, worker.cpu, owned);
            this.shift = unbound(scalar, worker.cpu, owned);
            this.forwardArgs = own(new IntMemoryMap(), owned);
            forwardArgs.put(DNNL_ARG_SRC, src);
            forwardArgs.put(DNNL_ARG_DST, dst);
            this.backwardArgs = own(new IntMemoryMap(), owned);
            backwardArgs.put(DNNL_ARG_DST, dst);
            backwardArgs.put(DNNL_ARG_DIFF_DST, diffDst);
            backwardArgs.put(DNNL_ARG_DIFF_SRC, diffSrc);
            this.shiftedArgs = own(new IntMemoryMap(), owned);
            shiftedArgs.put(DNNL_ARG_SRC_0, src);
            shiftedArgs.put(DNNL_ARG_SRC_1, shift);
            shiftedArgs.put(DNNL_ARG_DST, dst);
        }

        /** {@code dst = max(src + shift, 0)}: a binary addition with the rectifier as its post-op. */
        binary shiftedForward() {
            if (shifted == null) {
                try {
                    post_ops rectifier = own(new post_ops(), owned);
                    rectifier.append_eltwise(dnnl.algorithm.eltwise_relu.value, 0f, 0f);
                    primitive_attr attr = own(new primitive_attr(), owned);
                    attr.set_post_ops(rectifier);
                    binary.primitive_desc desc = own(new binary.primitive_desc(worker.cpu,
                            dnnl.algorithm.binary_add.value, flat, scalar, flat, attr, false), owned);
                    shifted = own(new binary(desc), owned);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("oneDNN has no shifted rectifier for " + length + ": "
                            + e.getMessage(), e);
                }
            }
            return shifted;
        }

        @Override
        public void close() {
            OneDnn.free(owned);
        }
    }
}
