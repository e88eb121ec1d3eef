package io.kronlaplace.nn;

import static io.kronlaplace.nn.OneDnn.SLOT_A;
import static io.kronlaplace.nn.OneDnn.SLOT_B;
import static io.kronlaplace.nn.OneDnn.SLOT_C;
import static io.kronlaplace.nn.OneDnn.SLOT_KERNEL;
import static io.kronlaplace.nn.OneDnn.any;
import static io.kronlaplace.nn.OneDnn.channelBlocked;
import static io.kronlaplace.nn.OneDnn.own;
import static io.kronlaplace.nn.OneDnn.outputAddress;
import static io.kronlaplace.nn.OneDnn.plain;
import static io.kronlaplace.nn.OneDnn.vector;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import io.kronlaplace.nn.OneDnn.Operand;
import io.kronlaplace.nn.OneDnn.Worker;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 convolutions on oneDNN 3.x through its JavaCPP presets. libnd4j's float32 {@code conv2d} runs its bundled
 * oneDNN 2.3, which takes the forward pass through kernels that read NHWC and so transposes every input batch, and
 * reorders the output gradient once for each of its two backward kernels. Here each call reorders its NCHW operands
 * once into the layouts that oneDNN's direct kernels prefer (channels in blocks of 16), and reads and writes operands
 * that are already channel-blocked ({@link ChannelBlocks}) in place; the kernels and reorders of each
 * {@link ConvolutionGeometry} are created once per thread and kept ({@link OneDnn.Worker}). docs/onednn.md has the
 * measurements.
 */
final class OneDnnConvolution implements ConvolutionBackend {
    /** The one instance; its state is per thread. */
    static final OneDnnConvolution INSTANCE = new OneDnnConvolution();

    private OneDnnConvolution() {
    }

    @Override
    public INDArray forward(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, g.outputArrayShape());
        plan(g).forward(x, w, b, out);
        return out;
    }

    @Override
    public INDArray inputGradient(ConvolutionGeometry g, INDArray gy, INDArray w) {
        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, g.inputArrayShape());
        plan(g).inputGradient(gy, w, gx);
        return gx;
    }

    @Override
    public void gradients(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b, INDArray gy, INDArray gx,
            INDArray gw, INDArray gb) {
        plan(g).gradients(x, w, gy, gx, gw, gb);
    }

    /** The caller's layout of an image operand: NCHW, or channel blocks that the kernels then read in place. */
    private static memory.desc image(long[] shape, boolean blocked) {
        return blocked ? channelBlocked(shape) : plain(shape);
    }

    private static Plan plan(ConvolutionGeometry g) {
        return OneDnn.worker().plan(g, Plan.class, worker -> new Plan(worker, g));
    }

    /** The primitives and operands of one geometry on one thread; the backward ones are made on first use. */
    private static final class Plan implements AutoCloseable {
        final Worker worker;
        final ConvolutionGeometry g;
        final List<Pointer> owned = new ArrayList<>();
        final memory.desc srcUser;
        final memory.desc kernelUser;
        final memory.desc biasUser;
        final memory.desc dstUser;
        final long[] strides;
        final long[] padding;
        final convolution_forward.primitive_desc forwardDesc;
        final convolution_forward forward;
        final Operand src;
        final Operand kernel;
        final Operand bias;
        final Operand dst;
        final IntMemoryMap forwardArgs;
        Backward backward;

        Plan(Worker worker, ConvolutionGeometry g) {
            this.worker = worker;
            this.g = g;
            this.srcUser = own(image(g.inputShape(), g.blockedInput()), owned);
            this.kernelUser = own(plain(g.kernelShape()), owned);
            this.biasUser = g.bias() ? own(vector(g.outChannels()), owned) : null;
            this.dstUser = own(image(g.outputShape(), g.blockedOutput()), owned);
            this.strides = new long[] {g.stride(), g.stride()};
            this.padding = new long[] {g.padding(), g.padding()};
            try {
                this.forwardDesc = own(new convolution_forward.primitive_desc(worker.cpu,
                        dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, any(g.inputShape()),
                        any(g.kernelShape()), biasUser == null ? new memory.desc() : biasUser,
                        any(g.outputShape()), strides, padding, padding), owned);
                this.forward = own(new convolution_forward(forwardDesc), owned);
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("oneDNN has no convolution for " + g + ": " + e.getMessage(), e);
            }
            engine e = worker.cpu;
            this.src = new Operand(e, srcUser, forwardDesc.src_desc(), true, SLOT_A, owned);
            this.kernel = new Operand(e, kernelUser, forwardDesc.weights_desc(), true, SLOT_KERNEL, owned);
            this.bias = biasUser == null ? null : new Operand(e, biasUser, biasUser, true, SLOT_C, owned);
            this.dst = new Operand(e, dstUser, forwardDesc.dst_desc(), false, SLOT_B, owned);
            this.forwardArgs = own(new IntMemoryMap(), owned);
            forwardArgs.put(DNNL_ARG_SRC, src.internal);
            forwardArgs.put(DNNL_ARG_WEIGHTS, kernel.internal);
            forwardArgs.put(DNNL_ARG_DST, dst.internal);
            if (bias != null) {
                forwardArgs.put(DNNL_ARG_BIAS, bias.internal);
            }
        }

        void forward(INDArray x, INDArray w, INDArray b, INDArray out) {
            try (OneDnn.Call call = worker.call()) {
                src.bind(worker, call.input(x));
                kernel.bind(worker, call.input(w));
                if (bias != null) {
                    bias.bind(worker, call.input(b));
                }
                dst.bind(worker, outputAddress(out));
                src.pull(worker);
                kernel.pull(worker);
                forward.execute(worker.queue, forwardArgs);
                dst.push(worker);
            }
        }

        void inputGradient(INDArray gy, INDArray w, INDArray gx) {
            try (OneDnn.Call call = worker.call()) {
                backwardData(backward(), gy, w, gx, call);
            }
        }

        void gradients(INDArray x, INDArray w, INDArray gy, INDArray gx, INDArray gw, INDArray gb) {
            Backward bw = backward();
            try (OneDnn.Call call = worker.call()) {
                backwardData(bw, gy, w, gx, call);
                // the data kernel's slots are free again except SLOT_A, which holds the blocked output gradient
                bw.weightsSrc.bind(worker, call.input(x));
                bw.weightsSrc.pull(worker);
                if (bw.weightsDiffDst != bw.dataDiffDst) {
                    bw.weightsDiffDst.bind(worker, bw.dataDiffDst.user.get_data_handle());
                    bw.weightsDiffDst.pull(worker);
                }
                bw.diffKernel.bind(worker, outputAddress(gw));
                if (bw.diffBias != null) {
                    bw.diffBias.bind(worker, outputAddress(gb));
                }
                bw.weights.execute(worker.queue, bw.weightsArgs);
                bw.diffKernel.push(worker);
            }
        }

        private void backwardData(Backward bw, INDArray gy, INDArray w, INDArray gx, OneDnn.Call call) {
            bw.dataDiffDst.bind(worker, call.input(gy));
            bw.dataKernel.bind(worker, call.input(w));
            bw.diffSrc.bind(worker, outputAddress(gx));
            bw.dataDiffDst.pull(worker);
            bw.dataKernel.pull(worker);
            bw.data.execute(worker.queue, bw.dataArgs);
            bw.diffSrc.push(worker);
        }

        private Backward backward() {
            if (backward == null) {
                try {
                    backward = new Backward(this);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("oneDNN has no backward convolution for " + g + ": "
                            + e.getMessage(), e);
                }
            }
            return backward;
        }

        @Override
        public void close() {
            OneDnn.free(owned);
        }
    }

    /** The backward kernels of a plan and their operands. */
    private static final class Backward {
        final convolution_backward_data data;
        final convolution_backward_weights weights;
        final Operand dataDiffDst;
        final Operand dataKernel;
        final Operand diffSrc;
        final Operand weightsSrc;
        final Operand weightsDiffDst;
        final Operand diffKernel;
        final Operand diffBias;
        final IntMemoryMap dataArgs;
        final IntMemoryMap weightsArgs;

        Backward(Plan p) {
            List<Pointer> owned = p.owned;
            engine e = p.worker.cpu;
            ConvolutionGeometry g = p.g;
            convolution_backward_data.primitive_desc dataDesc = own(new convolution_backward_data.primitive_desc(e,
                    dnnl.algorithm.convolution_direct, any(g.inputShape()), any(g.kernelShape()),
                    any(g.outputShape()), p.strides, p.padding, p.padding, p.forwardDesc), owned);
            convolution_backward_weights.primitive_desc weightsDesc = own(
                    new convolution_backward_weights.primitive_desc(e, dnnl.algorithm.convolution_direct,
                            any(g.inputShape()), any(g.kernelShape()),
                            p.biasUser == null ? new memory.desc() : p.biasUser, any(g.outputShape()), p.strides,
                            p.padding, p.padding, p.forwardDesc), owned);
            this.data = own(new convolution_backward_data(dataDesc), owned);
            this.weights = own(new convolution_backward_weights(weightsDesc), owned);
            this.dataDiffDst = new Operand(e, p.dstUser, dataDesc.diff_dst_desc(), true, SLOT_A, owned);
            this.dataKernel = new Operand(e, p.kernelUser, dataDesc.weights_desc(), true, SLOT_KERNEL, owned);
            this.diffSrc = new Operand(e, p.srcUser, dataDesc.diff_src_desc(), false, SLOT_B, owned);
            this.weightsSrc = new Operand(e, p.srcUser, weightsDesc.src_desc(), true, SLOT_B, owned);
            // the weights kernel reads the output gradient already reordered for the data kernel when it wants the
            // same layout (the usual case); otherwise it gets its own copy
            memory.desc wantedDiffDst = weightsDesc.diff_dst_desc();
            this.weightsDiffDst = wantedDiffDst.equals(dataDesc.diff_dst_desc()) ? dataDiffDst
                    : new Operand(e, p.dstUser, wantedDiffDst, true, SLOT_C, owned);
            this.diffKernel = new Operand(e, p.kernelUser, weightsDesc.diff_weights_desc(), false, SLOT_KERNEL, owned);
            this.diffBias = p.biasUser == null ? null : new Operand(e, p.biasUser, p.biasUser, false, SLOT_C, owned);
            this.dataArgs = own(new IntMemoryMap(), owned);
            dataArgs.put(DNNL_ARG_DIFF_DST, dataDiffDst.internal);
            dataArgs.put(DNNL_ARG_WEIGHTS, dataKernel.internal);
            dataArgs.put(DNNL_ARG_DIFF_SRC, diffSrc.internal);
            this.weightsArgs = own(new IntMemoryMap(), owned);
            weightsArgs.put(DNNL_ARG_SRC, weightsSrc.internal);
            weightsArgs.put(DNNL_ARG_DIFF_DST, weightsDiffDst.internal);
            weightsArgs.put(DNNL_ARG_DIFF_WEIGHTS, diffKernel.internal);
            if (diffBias != null) {
                weightsArgs.put(DNNL_ARG_DIFF_BIAS, diffBias.internal);
            }
        }
    }
}
