package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the float32 layers on oneDNN 3 share ({@link OneDnnConvolution}, {@link OneDnnBatchNorm},
 * {@link OneDnnRelu}): loading the library, the switch that turns them off, and per thread an engine, a stream,
 * scratch memory for the blocked copies and the prepared primitives of the shapes used last. Each thread has its own,
 * so concurrent callers share nothing mutable. See docs/onednn.md.
 */
final class OneDnn {
    /**
     * System property: {@code true} (the default) runs float32 convolutions, training-mode batch normalisation and
     * rectifiers on oneDNN 3, {@code false} on libnd4j's ops.
     */
    static final String PROPERTY = "kronlaplace.onednn";
    /** Prepared shapes kept per thread; the least recently used one beyond this is released. */
    static final int PLANS_PER_THREAD = 48;

    /** Scratch slots: the blocked copies of one call's large operands, and a small one for kernels. */
    static final int SLOT_A = 0;
    static final int SLOT_B = 1;
    static final int SLOT_C = 2;
    static final int SLOT_KERNEL = 3;
    private static final int SLOTS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
    private static final ThreadLocal<Worker> WORKERS = ThreadLocal.withInitial(Worker::new);

    private OneDnn() {
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

    /** The property, read once. */
    private static final class Switch {
        static final Boolean ENABLED = enabledBy(System.getProperty(PROPERTY));
    }

    /**
     * Why oneDNN 3 cannot be used here.
     *
     * @return null when the native library loaded, else the error that stopped it
     */
    static String loadFailure() {
        return Library.FAILURE;
    }

    /**
     * Whether float32 layers run on oneDNN 3 in this JVM.
     *
     * @return the {@value #PROPERTY} setting, false when the library could not load (a warning says why, once)
     * @throws IllegalArgumentException when the property is neither true nor false
     */
    static boolean enabled() {
        if (Switch.ENABLED == null) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + System.getProperty(PROPERTY)
                    + " is not a switch; use true (the default: oneDNN 3 for float32 convolutions and batch "
                    + "normalisation) or false (libnd4j's ops)");
        }
        return Switch.ENABLED;
    }

    /**
     * What a property value asks for.
     *
     * @param property the value, or null when unset
     * @return true for oneDNN (the default, when the library loads), false for libnd4j's ops, null for a value that
     *         is neither
     */
    static Boolean enabledBy(String property) {
        String value = property == null ? "true" : property.trim().toLowerCase(Locale.ROOT);
        if (value.equals("false")) {
            return false;
        }
        if (!value.equals("true")) {
            return null;
        }
        if (loadFailure() != null) {
            LOG.warn("oneDNN 3 could not load ({}); float32 layers use libnd4j's ops", loadFailure());
            return false;
        }
        return true;
    }

    /** @return this thread's engine, stream, scratch memory and prepared shapes */
    static Worker worker() {
        return WORKERS.get();
    }

    /** One thread's engine, stream, scratch memory and prepared shapes. */
    static final class Worker {
        final engine cpu = new engine(engine.kind.cpu, 0);
        final stream queue = new stream(cpu);
        private final memory[] slots = new memory[SLOTS];
        private final long[] slotBytes = new long[SLOTS];
        private final Map<Object, AutoCloseable> plans = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, AutoCloseable> eldest) {
                if (size() > PLANS_PER_THREAD) {
                    closeQuietly(eldest.getValue());
                    return true;
                }
                return false;
            }
        };

        /**
         * The prepared primitives for a shape, made on first use.
         *
         * @param key  the shape, a record with value equality
         * @param type the plan's class
         * @param make builds the plan for this worker
         * @return the plan
         */
        <T extends AutoCloseable> T plan(Object key, Class<T> type, Function<Worker, T> make) {
            AutoCloseable plan = plans.get(key);
            if (plan == null) {
                plan = make.apply(this);
                plans.put(key, plan);
            }
            return type.cast(plan);
        }

        /** @return the bookkeeping of one call on this thread; close it when the call's primitives have run */
        Call call() {
            return new Call(this);
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

        private static void closeQuietly(AutoCloseable plan) {
            try {
                plan.close();
            } catch (Exception e) {
                LOG.debug("closing a oneDNN plan failed", e);
            }
        }
    }

    /**
     * One operand of a primitive: the caller's plain memory (NCHW, OIHW or a vector) and, when the primitive wants
     * another layout, a blocked memory in a scratch slot with the reorder between the two.
     */
    static final class Operand {
        final memory user;
        final memory internal;
        private final reorder copy;
        private final int slot;
        private final long bytes;

        /**
         * @param cpu        the engine
         * @param userDesc   the caller's layout
         * @param wanted     the primitive's layout
         * @param toInternal whether the operand is read (reorder in) rather than written (reorder out)
         * @param slot       the scratch slot of the blocked copy
         * @param owned      collects the native objects to free with the plan
         */
        Operand(engine cpu, memory.desc userDesc, memory.desc wanted, boolean toInternal, int slot,
                List<Pointer> owned) {
            this.user = unbound(userDesc, cpu, owned);
            if (wanted.equals(userDesc)) {
                this.internal = user;
                this.copy = null;
                this.slot = -1;
                this.bytes = 0;
            } else {
                this.internal = unbound(wanted, cpu, owned);
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

        /** Copies the caller's memory into the primitive's layout (an input operand). */
        void pull(Worker worker) {
            if (copy != null) {
                copy.execute(worker.queue, user, internal);
            }
        }

        /** Copies the primitive's result into the caller's memory (an output operand). */
        void push(Worker worker) {
            if (copy != null) {
                copy.execute(worker.queue, internal, user);
            }
        }
    }

    /**
     * One call's inputs: where each one's elements start, through a dense copy when it does not own a dense C-ordered
     * buffer. Closing waits for the stream and then frees those copies at once, where ND4J allows (not inside a
     * workspace).
     */
    static final class Call implements AutoCloseable {
        private final Worker worker;
        private final List<INDArray> copies = new ArrayList<>(0);

        private Call(Worker worker) {
            this.worker = worker;
        }

        /**
         * The address of an input array's first element.
         *
         * @param a a float32 array the call reads
         * @return the address oneDNN reads
         */
        Pointer input(INDArray a) {
            if (a.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("oneDNN layers take float32 arrays, got " + a.dataType());
            }
            INDArray dense = Tensors.denseBuffer(a);
            if (dense != a) {
                copies.add(dense);
            }
            return dense.data().addressPointer();
        }

        @Override
        public void close() {
            worker.queue._wait();
            for (INDArray copy : copies) {
                if (copy.closeable()) {
                    copy.close();
                }
            }
        }
    }

    /** Adds a native object to the list that its plan frees. */
    static <T extends Pointer> T own(T pointer, List<Pointer> owned) {
        owned.add(pointer);
        return pointer;
    }

    /** A memory object of the given layout with no data yet (each call binds its arrays), freed with the plan. */
    static memory unbound(memory.desc desc, engine cpu, List<Pointer> owned) {
        return own(new memory(desc, cpu, new Pointer()), owned);
    }

    /** Frees a plan's native objects, newest first. */
    static void free(List<Pointer> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }

    /** An output's address: outputs are written in place, so they must own their dense buffer. */
    static Pointer outputAddress(INDArray a) {
        if (a.dataType() != DataType.FLOAT || !Tensors.isDenseBuffer(a)) {
            throw new IllegalArgumentException("oneDNN layers write float32 arrays that own a dense C-ordered buffer, "
                    + "got " + a.dataType() + " " + a.shapeInfoToString());
        }
        return a.data().addressPointer();
    }

    /** A dense C-ordered float32 descriptor of rank 4: NCHW for images, OIHW for kernels. */
    static memory.desc plain(long[] shape) {
        return new memory.desc(shape, memory.data_type.f32, memory.format_tag.abcd);
    }

    /** A float32 vector descriptor. */
    static memory.desc vector(long n) {
        return new memory.desc(new long[] {n}, memory.data_type.f32, memory.format_tag.a);
    }

    /** A descriptor that lets the primitive choose the layout. */
    static memory.desc any(long[] shape) {
        return new memory.desc(shape, memory.data_type.f32, memory.format_tag.any);
    }

    /** A rank-4 descriptor with channels in blocks of 16 ({@code nChw16c}), what the fast kernels read. */
    static memory.desc channelBlocked(long[] shape) {
        return new memory.desc(shape, memory.data_type.f32, memory.format_tag.aBcd16b);
    }
}
