package io.kronlaplace.nn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 convolutions on oneDNN 3.x through its JavaCPP presets. libnd4j's float32 {@code conv2d} runs its bundled
 * oneDNN 2.3, which takes the forward pass through kernels that read NHWC and so transposes every input batch, and
 * reorders the output gradient once for each of its two backward kernels. Here each call reorders its NCHW operands
 * once into the layouts that oneDNN's direct kernels prefer (channels in blocks of 16), and the kernels and reorders
 * of each {@link ConvolutionGeometry} are created once and kept. docs/convolutions.md has the measurements.
 *
 * <p>Each thread has its own oneDNN stream, primitives and scratch memory (the blocked copies, reused by every
 * call on that thread), so concurrent callers share nothing but the immutable library. A thread keeps the
 * {@value #PLANS_PER_THREAD} geometries it used last.
 */
final class OneDnnConvolution implements ConvolutionBackend {
    /** The one instance; its state is per thread. */
    static final OneDnnConvolution INSTANCE = new OneDnnConvolution();
    /** Prepared geometries kept per thread; the least recently used one beyond this is released. */
    static final int PLANS_PER_THREAD = 32;

    /** Scratch slots: blocked source or output gradient, blocked output or input gradient, kernel, spare. */
    private static final int SLOT_A = 0;
    private static final int SLOT_B = 1;
    private static final int SLOT_KERNEL = 2;
    private static final int SLOT_SPARE = 3;
    private static final int SLOTS = 4;

    private final ThreadLocal<Worker> workers = ThreadLocal.withInitial(Worker::new);

    private OneDnnConvolution() {
    }

    /** Loads the native library once. */
    private static final class Library {
        static final String FAILURE = load();

        private static String load() {
            try {
                Loader.load(dnnl.class);
                return null;
            } catch (Throwable e) {
                return e.toString();
            }
        }
    }

    /**
     * Why oneDNN 3 cannot be used here.
     *
     * @return null when the native library loaded, else the error that stopped it
     */
    static String loadFailure() {
        return Library.FAILURE;
    }

    @Override
    public INDArray forward(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, g.outputShape());
        workers.get().plan(g).forward(x, w, b, out);
        return out;
    }

    @Override
    public INDArray inputGradient(ConvolutionGeometry g, INDArray gy, INDArray w) {
        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, g.inputShape());
        workers.get().plan(g).inputGradient(gy, w, gx);
        return gx;
    }

    @Override
    public void gradients(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b, INDArray gy, INDArray gx,
            INDArray gw, INDArray gb) {
        workers.get().plan(g).gradients(x, w, gy, gx, gw, gb);
    }

    /** The address of an array's first element; copies arrays that do not own a dense buffer. */
    private static Pointer address(INDArray a, List<INDArray> copies) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("oneDNN convolutions take float32 arrays, got " + a.dataType());
        }
        INDArray dense = Tensors.denseBuffer(a);
        if (dense != a) {
            copies.add(dense);
        }
        return dense.data().addressPointer();
    }

    /** Frees the dense copies made for a call at once, where ND4J allows (not inside a workspace). */
    private static void release(List<INDArray> copies) {
        for (INDArray copy : copies) {
            if (copy.closeable()) {
                copy.close();
            }
        }
    }

    /** An output's address: outputs are written in place, so they must own their dense buffer. */
    private static Pointer outputAddress(INDArray a) {
        if (a.dataType() != DataType.FLOAT || !Tensors.isDenseBuffer(a)) {
            throw new IllegalArgumentException("oneDNN convolutions write float32 arrays that own a dense C-ordered "
                    + "buffer, got " + a.dataType() + " " + a.shapeInfoToString());
        }
        return a.data().addressPointer();
    }

    /** One thread's engine, stream, scratch memory and prepared geometries. */
    private static final class Worker {
        final engine cpu = new engine(org.bytedeco.dnnl.engine.kind.cpu, 0);
        final stream queue = new stream(cpu);
        final memory[] slots = new memory[SLOTS];
        final long[] slotBytes = new long[SLOTS];
        final Map<ConvolutionGeometry, Plan> plans = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ConvolutionGeometry, Plan> eldest) {
                if (size() > PLANS_PER_THREAD) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };

        Plan plan(ConvolutionGeometry g) {
            Plan plan = plans.get(g);
            if (plan == null) {
                plan = new Plan(this, g);
                plans.put(g, plan);
            }
            return plan;
        }

        /** The start of scratch slot i, grown to hold at least {@code bytes}. */
        Pointer scratch(int i, long bytes) {
            if (slotBytes[i] < bytes) {
                if (slots[i] != null) {
                    slots[i].close();
                }
                long floats = (bytes + Float.BYTES - 1) / Float.BYTES;
                slots[i] = new memory(new memory.desc(new long[] {floats}, memory.data_type.f32,
                        memory.format_tag.a), cpu);
                slotBytes[i] = bytes;
            }
            return slots[i].get_data_handle();
        }
    }

    /**
     * One operand of a kernel: the caller's NCHW (or OIHW, or vector) memory and, when the kernel wants another
     * layout, a blocked memory in a scratch slot with the reorder between the two.
     */
    private static final class Operand {
        final memory user;
        final memory internal;
        final reorder copy;
        final int slot;
        final long bytes;

        Operand(engine engine, memory.desc userDesc, memory.desc wanted, boolean toInternal, int slot,
                List<Pointer> owned) {
            this.user = own(new memory(userDesc, engine, new Pointer()), owned);
            if (wanted.equals(userDesc)) {
                this.internal = user;
                this.copy = null;
                this.slot = -1;
                this.bytes = 0;
            } else {
                this.internal = own(new memory(wanted, engine, new Pointer()), owned);
                this.copy = own(toInternal ? new reorder(user, internal) : new reorder(internal, user), owned);
                this.slot = slot;
                this.bytes = wanted.get_size();
            }
        }

        /** Binds the caller's memory and, when reordering, the scratch slot. */
        void bind(Worker worker, Pointer data) {
            user.set_data_handle(data);
            if (copy != null) {
                internal.set_data_handle(worker.scratch(slot, bytes));
            }
        }

        /** Copies the caller's memory into the kernel's layout (an input operand). */
        void pull(stream stream) {
            if (copy != null) {
                copy.execute(stream, user, internal);
            }
        }

        /** Copies the kernel's result into the caller's memory (an output operand). */
        void push(stream stream) {
            if (copy != null) {
                copy.execute(stream, internal, user);
            }
        }
    }

    private static <T extends Pointer> T own(T pointer, List<Pointer> owned) {
        owned.add(pointer);
        return pointer;
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
            this.srcUser = own(plain(g.inputShape()), owned);
            this.kernelUser = own(plain(g.kernelShape()), owned);
            this.biasUser = g.bias() ? own(vector(g.outChannels()), owned) : null;
            this.dstUser = own(plain(g.outputShape()), owned);
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
            this.bias = biasUser == null ? null : new Operand(e, biasUser, biasUser, true, SLOT_SPARE, owned);
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
            List<INDArray> copies = new ArrayList<>(0);
            src.bind(worker, address(x, copies));
            kernel.bind(worker, address(w, copies));
            if (bias != null) {
                bias.bind(worker, address(b, copies));
            }
            dst.bind(worker, outputAddress(out));
            src.pull(worker.queue);
            kernel.pull(worker.queue);
            forward.execute(worker.queue, forwardArgs);
            dst.push(worker.queue);
            worker.queue._wait();
            release(copies);
        }

        void inputGradient(INDArray gy, INDArray w, INDArray gx) {
            List<INDArray> copies = new ArrayList<>(0);
            backwardData(backward(), gy, w, gx, copies);
            worker.queue._wait();
            release(copies);
        }

        void gradients(INDArray x, INDArray w, INDArray gy, INDArray gx, INDArray gw, INDArray gb) {
            Backward bw = backward();
            List<INDArray> copies = new ArrayList<>(0);
            backwardData(bw, gy, w, gx, copies);
            // the data kernel's slots are free again except SLOT_A, which holds the blocked output gradient
            bw.weightsSrc.bind(worker, address(x, copies));
            bw.weightsSrc.pull(worker.queue);
            if (bw.weightsDiffDst != bw.dataDiffDst) {
                bw.weightsDiffDst.bind(worker, bw.dataDiffDst.user.get_data_handle());
                bw.weightsDiffDst.pull(worker.queue);
            }
            bw.diffKernel.bind(worker, outputAddress(gw));
            if (bw.diffBias != null) {
                bw.diffBias.bind(worker, outputAddress(gb));
            }
            bw.weights.execute(worker.queue, bw.weightsArgs);
            bw.diffKernel.push(worker.queue);
            worker.queue._wait();
            release(copies);
        }

        private void backwardData(Backward bw, INDArray gy, INDArray w, INDArray gx, List<INDArray> copies) {
            bw.dataDiffDst.bind(worker, address(gy, copies));
            bw.dataKernel.bind(worker, address(w, copies));
            bw.diffSrc.bind(worker, outputAddress(gx));
            bw.dataDiffDst.pull(worker.queue);
            bw.dataKernel.pull(worker.queue);
            bw.data.execute(worker.queue, bw.dataArgs);
            bw.diffSrc.push(worker.queue);
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
            for (int i = owned.size() - 1; i >= 0; i--) {
                owned.get(i).close();
            }
            owned.clear();
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
                    : new Operand(e, p.dstUser, wantedDiffDst, true, SLOT_SPARE, owned);
            this.diffKernel = new Operand(e, p.kernelUser, weightsDesc.diff_weights_desc(), false, SLOT_KERNEL, owned);
            this.diffBias = p.biasUser == null ? null : new Operand(e, p.biasUser, p.biasUser, false, SLOT_SPARE, owned);
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

    /** A dense C-ordered float32 descriptor: NCHW for images, OIHW for kernels. */
    private static memory.desc plain(long[] shape) {
        return new memory.desc(shape, memory.data_type.f32, memory.format_tag.abcd);
    }

    private static memory.desc vector(long n) {
        return new memory.desc(new long[] {n}, memory.data_type.f32, memory.format_tag.a);
    }

    /** A descriptor that lets the kernel choose the layout. */
    private static memory.desc any(long[] shape) {
        return new memory.desc(shape, memory.data_type.f32, memory.format_tag.any);
    }
}
