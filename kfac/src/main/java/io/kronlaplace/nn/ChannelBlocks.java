package io.kronlaplace.nn;

import static io.kronlaplace.nn.OneDnn.channelBlocked;
import static io.kronlaplace.nn.OneDnn.outputAddress;
import static io.kronlaplace.nn.OneDnn.own;
import static io.kronlaplace.nn.OneDnn.plain;
import static io.kronlaplace.nn.OneDnn.unbound;

import io.kronlaplace.nn.OneDnn.Worker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 feature maps in oneDNN's channel-blocked layout ({@code nChw16c}), the layout its fast convolution and
 * batch-normalisation kernels read and write. An NCHW map {@code [N, C, H, W]} with C a multiple of 16 is held as a
 * C-ordered array {@code [N, C/16, H, W, 16]}: channel {@code c} is lane {@code c % 16} of block {@code c / 16}. The
 * fifth dimension marks the layout, so a layer that only reads NCHW maps rejects such an array by its rank instead of
 * misreading it, and element-wise layers work on it unchanged. {@link ChannelBlocking} puts a network's maps into this
 * layout; the layers that accept it are listed there. See docs/onednn.md.
 */
final class ChannelBlocks {
    /** Channels per block. */
    static final int BLOCK = 16;

    private ChannelBlocks() {
    }

    /**
     * Whether an array holds channel-blocked maps.
     *
     * @param x any array
     * @return true for a rank-5 array whose last dimension is {@value #BLOCK}
     */
    static boolean isBlocked(INDArray x) {
        return x.rank() == 5 && x.size(4) == BLOCK;
    }

    /**
     * Whether an NCHW array can be put into blocks: float32, C a multiple of {@value #BLOCK}, and oneDNN 3 on.
     *
     * @param x an array of any rank
     * @return true when {@link #block} accepts it
     */
    static boolean canBlock(INDArray x) {
        return x.rank() == 4 && x.dataType() == DataType.FLOAT && x.size(1) % BLOCK == 0 && OneDnn.enabled();
    }

    /**
     * Channels of a map in either layout.
     *
     * @param x an NCHW or channel-blocked array
     * @return C
     */
    static long channels(INDArray x) {
        return isBlocked(x) ? x.size(1) * BLOCK : x.size(1);
    }

    /**
     * The logical NCHW shape of a map in either layout.
     *
     * @param x an NCHW or channel-blocked array
     * @return {@code [N, C, H, W]}
     */
    static long[] logicalShape(INDArray x) {
        return isBlocked(x) ? new long[] {x.size(0), channels(x), x.size(2), x.size(3)} : x.shape();
    }

    /**
     * The array shape that holds maps of a logical NCHW shape in one layout.
     *
     * @param nchw    {@code [N, C, H, W]}
     * @param blocked whether the maps are channel-blocked (C must then be a multiple of {@value #BLOCK})
     * @return {@code nchw} itself, or {@code [N, C/16, H, W, 16]}
     */
    static long[] arrayShape(long[] nchw, boolean blocked) {
        if (!blocked) {
            return nchw;
        }
        if (nchw[1] % BLOCK != 0) {
            throw new IllegalArgumentException("channel blocks need a multiple of " + BLOCK + " channels, got "
                    + Arrays.toString(nchw));
        }
        return new long[] {nchw[0], nchw[1] / BLOCK, nchw[2], nchw[3], BLOCK};
    }

    /**
     * An NCHW map in channel blocks.
     *
     * @param x float32 {@code [N, C, H, W]}, C a multiple of {@value #BLOCK}
     * @return a new {@code [N, C/16, H, W, 16]} array
     * @throws IllegalArgumentException when x cannot be blocked ({@link #canBlock})
     */
    static INDArray block(INDArray x) {
        if (!canBlock(x)) {
            throw new IllegalArgumentException("cannot put " + x.dataType() + " " + Arrays.toString(x.shape())
                    + " into channel blocks: needs float32 [N, C, H, W] with C a multiple of " + BLOCK
                    + " and oneDNN 3 on (-D" + OneDnn.PROPERTY + ")");
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, arrayShape(x.shape(), true));
        reorder(x, out, x.shape(), true);
        return out;
    }

    /**
     * A channel-blocked map back in NCHW.
     *
     * @param x {@code [N, C/16, H, W, 16]}
     * @return a new float32 {@code [N, C, H, W]} array
     * @throws IllegalArgumentException when x is not channel-blocked float32
     */
    static INDArray unblock(INDArray x) {
        if (!isBlocked(x) || x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("not a float32 channel-blocked array [N, C/16, H, W, 16]: "
                    + x.dataType() + " " + Arrays.toString(x.shape()));
        }
        long[] nchw = logicalShape(x);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, nchw);
        reorder(x, out, nchw, false);
        return out;
    }

    /**
     * Checks that a map in either layout has the given channels: an NCHW array {@code [N, channels, H, W]}, or a
     * channel-blocked one with {@code channels / 16} blocks.
     *
     * @param x        the map
     * @param channels the channels the layer expects
     * @param what     how the message names x, e.g. "Conv2d 'conv1' input"
     * @throws IllegalArgumentException when the rank or the channel count differs
     */
    static void requireChannels(INDArray x, long channels, String what) {
        if (!isBlocked(x)) {
            Tensors.requireRank(x, what + " (N, C, H, W)", 4);
            Tensors.requireSize(x, 1, channels, what + " channels");
        } else if (channels(x) != channels) {
            throw new IllegalArgumentException(what + ": channel-blocked map " + Arrays.toString(x.shape()) + " has "
                    + x.size(1) + " blocks of " + BLOCK + " channels, expected " + channels + " channels");
        }
    }

    /**
     * Checks that a gradient or tangent is in the layout of the forward pass it goes with.
     *
     * @param x       the gradient or tangent
     * @param blocked whether the forward pass's map was channel-blocked
     * @param what    how the message names x, e.g. "BatchNorm2d 'bn' tangent"
     * @return x
     * @throws IllegalArgumentException when x is channel-blocked and the forward pass's map was not, or the reverse
     */
    static INDArray requireLayout(INDArray x, boolean blocked, String what) {
        if (isBlocked(x) != blocked) {
            throw new IllegalArgumentException(what + " " + Arrays.toString(x.shape())
                    + " is not in the forward pass's layout (" + (blocked ? "channel-blocked [rows, C/16, H, W, 16]"
                    : "NCHW [rows, C, H, W]") + ")");
        }
        return x;
    }

    /**
     * Runs a computation that reads and gives NCHW maps on a map in either layout.
     *
     * @param x        an NCHW or channel-blocked map
     * @param nchwOnly maps an NCHW array to an NCHW array of whole blocks of channels
     * @return its result, channel-blocked when x is
     */
    static INDArray viaNchw(INDArray x, UnaryOperator<INDArray> nchwOnly) {
        return isBlocked(x) ? block(nchwOnly.apply(unblock(x))) : nchwOnly.apply(x);
    }

    /**
     * An NCHW view of a map in either layout, for code that reads NCHW only.
     *
     * @param x an NCHW or channel-blocked array
     * @return x itself when it is NCHW, else {@link #unblock}
     */
    static INDArray nchw(INDArray x) {
        return isBlocked(x) ? unblock(x) : x;
    }

    private static void reorder(INDArray from, INDArray to, long[] nchw, boolean toBlocked) {
        Shape shape = new Shape(nchw[0], nchw[1], nchw[2], nchw[3], toBlocked);
        Worker worker = OneDnn.worker();
        Plan plan = worker.plan(shape, Plan.class, w -> new Plan(w, shape));
        try (OneDnn.Call call = worker.call()) {
            plan.from.set_data_handle(call.input(from));
            plan.to.set_data_handle(outputAddress(to));
            plan.copy.execute(worker.queue, plan.from, plan.to);
        }
    }

    /** What a prepared reorder depends on. */
    private record Shape(long batch, long channels, long height, long width, boolean toBlocked) {
    }

    /** The reorder of one shape and direction on one thread. */
    private static final class Plan implements AutoCloseable {
        final List<Pointer> owned = new ArrayList<>();
        final memory from;
        final memory to;
        final reorder copy;

        Plan(Worker worker, Shape s) {
            long[] dims = {s.batch(), s.channels(), s.height(), s.width()};
            memory.desc nchw = own(plain(dims), owned);
            memory.desc blocked = own(channelBlocked(dims), owned);
            this.from = unbound(s.toBlocked() ? nchw : blocked, worker.cpu, owned);
            this.to = unbound(s.toBlocked() ? blocked : nchw, worker.cpu, owned);
            this.copy = own(new reorder(from, to), owned);
        }

        @Override
        public void close() {
            OneDnn.free(owned);
        }
    }
}
