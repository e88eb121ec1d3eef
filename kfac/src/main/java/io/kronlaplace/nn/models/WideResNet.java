package io.kronlaplace.nn.models;

import io.kronlaplace.nn.BatchNorm2d;
import io.kronlaplace.nn.ChannelBlocking;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.FixupBias;
import io.kronlaplace.nn.FixupScale;
import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.GlobalAvgPool2d;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Residual;
import io.kronlaplace.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Wide residual networks for CIFAR-sized images (Zagoruyko and Komodakis 2016), WRN-d-k with {@code d = 6n + 4}:
 * a 3x3 convolution to 16 channels, three groups of n pre-activation basic blocks of widths 16k, 32k and 64k
 * (strides 1, 2, 2; a bias-free 1x1 convolution on the shortcut where the shape changes), then ReLU, global average
 * pooling and a linear classifier with bias.
 *
 * <p>Two variants:
 * <ul>
 *   <li>{@link Variant#BATCHNORM}: BatchNorm-ReLU before each convolution of a block and before the pooling, each
 *       pair one {@link BatchNorm2d#rectified} layer; convolutions have no bias. WRN-16-4 has 2,748,890
 *       parameters.</li>
 *   <li>{@link Variant#FIXUP}: no normalisation (Zhang et al. 2019, in the Wide ResNet form used by Immer et al.
 *       2021): scalar biases before each convolution and activation (a bias and its activation one
 *       {@link FixupBias#rectified} layer), a scalar multiplier at the end of each residual
 *       branch, the branch's last convolution and the classifier initialised to zero, and the branch's first
 *       convolution scaled by {@code L^(-1/(2m-2)) = L^(-1/2)} (L = 3n branches of m = 2 layers).</li>
 * </ul>
 * Convolution kernels start from {@code N(0, 2 / (Cout * k * k))} (He initialisation in fan-out mode, as in the
 * reference implementations); values are drawn from one seeded stream, so a seed fixes the network.
 *
 * <p>Module names: {@code conv}, {@code blocks}, {@code group1..3.<block>}, and {@code bn} (BatchNorm) or
 * {@code relu} (Fixup), {@code pool}, {@code fc} at the head; a block with an identity shortcut is a
 * {@link Residual}, one with a projection is {@code Sequential(pre, residual)} whose pre-activation feeds both
 * branches. {@code blocks} is a
 * {@link ChannelBlocking}: after the first convolution, float32 feature maps pass between layers in oneDNN's
 * channel-blocked layout, which saves two layout copies per convolution and batch normalisation and each way
 * ({@link Builder#channelBlocks} turns it off).
 */
public final class WideResNet {
    /** Normalisation scheme. */
    public enum Variant {
        /** BatchNorm before each convolution of a block (standard WRN). */
        BATCHNORM,
        /** No normalisation; Fixup scalar biases, multipliers and initialisation. */
        FIXUP
    }

    private final int depth;
    private final int widen;
    private final int classes;
    private final int inputChannels;
    private final Variant variant;
    private final long seed;
    private final DataType dataType;
    private final boolean channelBlocks;

    private WideResNet(Builder b) {
        this.depth = b.depth;
        this.widen = b.widen;
        this.classes = b.classes;
        this.inputChannels = b.inputChannels;
        this.variant = b.variant;
        this.seed = b.seed;
        this.dataType = b.dataType;
        this.channelBlocks = b.channelBlocks;
    }

    /**
     * A builder with the defaults WRN-16-4, 10 classes, 3 input channels, BatchNorm, seed 0, float32.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Readable architecture name, e.g. "WRN-16-4 BATCHNORM classes=10 in=3".
     *
     * @return one line naming every setting but the seed and the data type
     */
    public String description() {
        return "WRN-" + depth + "-" + widen + " " + variant + " classes=" + classes + " in=" + inputChannels;
    }

    /**
     * Blocks per group, n = (depth - 4) / 6.
     *
     * @return n, at least 1
     */
    public int blocksPerGroup() {
        return (depth - 4) / 6;
    }

    /**
     * Assembles a freshly initialised network.
     *
     * @return a new network taking {@code [N, inputChannels, H, W]} images (32 x 32 for CIFAR) and giving
     *         {@code [N, classes]} logits; every call draws the same weights from the seed
     */
    public Network build() {
        Init init = new Init(seed, dataType, Init.Scheme.KAIMING_NORMAL);
        int n = blocksPerGroup();
        long[] widths = {16, 16L * widen, 32L * widen, 64L * widen};
        Sequential root = new Sequential();
        root.add("conv", conv(inputChannels, widths[0], 3, 1, init, 1.0));
        if (channelBlocks) {
            root.add("blocks", new ChannelBlocking());
        }
        if (variant == Variant.FIXUP) {
            root.add("bias", new FixupBias(dataType));
        }
        int[] strides = {1, 2, 2};
        for (int g = 0; g < 3; g++) {
            Sequential group = new Sequential();
            for (int b = 0; b < n; b++) {
                long in = b == 0 ? widths[g] : widths[g + 1];
                group.add(block(in, widths[g + 1], b == 0 ? strides[g] : 1, 3 * n, init));
            }
            root.add("group" + (g + 1), group);
        }
        if (variant == Variant.BATCHNORM) {
            root.add("bn", BatchNorm2d.rectified(widths[3], dataType));
        } else {
            root.add("relu", new ReLU());
        }
        root.add("pool", new GlobalAvgPool2d());
        Linear fc;
        if (variant == Variant.FIXUP) {
            root.add("bias2", new FixupBias(dataType));
            fc = new Linear(widths[3], classes, true, init.with(Init.Scheme.ZERO));
        } else {
            fc = new Linear(widths[3], classes, true, init.with(Init.Scheme.XAVIER_NORMAL));
        }
        root.add("fc", fc);
        return new Network(root);
    }

    private Module block(long in, long out, int stride, int branches, Init init) {
        if (in == out && stride == 1) {
            Sequential branch = new Sequential();
            addPreActivation(branch, in);
            addBranch(branch, in, out, stride, branches, init);
            return new Residual(branch);
        }
        Sequential pre = new Sequential();
        addPreActivation(pre, in);
        Sequential branch = new Sequential();
        addBranch(branch, in, out, stride, branches, init);
        return new Sequential().add("pre", pre)
                .add("residual", new Residual(branch, conv(in, out, 1, stride, init, 1.0)));
    }

    private void addPreActivation(Sequential target, long channels) {
        if (variant == Variant.BATCHNORM) {
            target.add("bn1", BatchNorm2d.rectified(channels, dataType));
        } else {
            target.add("bias1", FixupBias.rectified(dataType));
        }
    }

    private void addBranch(Sequential target, long in, long out, int stride, int branches, Init init) {
        if (variant == Variant.BATCHNORM) {
            target.add("conv1", conv(in, out, 3, stride, init, 1.0))
                    .add("bn2", BatchNorm2d.rectified(out, dataType))
                    .add("conv2", conv(out, out, 3, 1, init, 1.0));
        } else {
            target.add("conv1", conv(in, out, 3, stride, init, Math.pow(branches, -0.5)))
                    .add("bias2", FixupBias.rectified(dataType))
                    .add("bias3", new FixupBias(dataType))
                    .add("conv2", conv(out, out, 3, 1, init, 0.0))
                    .add("scale", new FixupScale(dataType))
                    .add("bias4", new FixupBias(dataType));
        }
    }

    /** A bias-free convolution with He fan-out initialisation times {@code gain} (0 gives a zero kernel). */
    private Conv2d conv(long in, long out, int kernel, int stride, Init init, double gain) {
        // The kernel is allocated as zeros (no draws) and filled from the shared seeded stream.
        Conv2d c = new Conv2d(in, out, kernel, stride, kernel / 2, false, new Init(0, dataType, Init.Scheme.ZERO));
        if (gain != 0) {
            double std = gain * Math.sqrt(2.0 / (out * (long) kernel * kernel));
            c.weight().value().assign(init.normal(c.weight().value().shape(), std));
        }
        return c;
    }

    /** Builder for {@link WideResNet}; every setter validates its argument. */
    public static final class Builder {
        private int depth = 16;
        private int widen = 4;
        private int classes = 10;
        private int inputChannels = 3;
        private Variant variant = Variant.BATCHNORM;
        private long seed = 0;
        private DataType dataType = DataType.FLOAT;
        private boolean channelBlocks = true;

        private Builder() {
        }

        /**
         * Total depth d = 6n + 4 with n >= 1 (10, 16, 22, 28, ...).
         *
         * @param depth the d of WRN-d-k: weight layers on the longest path
         * @return this builder
         * @throws IllegalArgumentException when {@code depth} is not 6n + 4 with n >= 1
         */
        public Builder depth(int depth) {
            if (depth < 10 || (depth - 4) % 6 != 0) {
                throw new IllegalArgumentException("Wide ResNet depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, "
                        + "...), got " + depth);
            }
            this.depth = depth;
            return this;
        }

        /**
         * Width multiplier k >= 1.
         *
         * @param widen the k of WRN-d-k: the groups have 16k, 32k and 64k channels
         * @return this builder
         * @throws IllegalArgumentException when {@code widen < 1}
         */
        public Builder widen(int widen) {
            if (widen < 1) {
                throw new IllegalArgumentException("widen factor must be >= 1, got " + widen);
            }
            this.widen = widen;
            return this;
        }

        /**
         * Number of output classes >= 1.
         *
         * @param classes output features of the classifier
         * @return this builder
         * @throws IllegalArgumentException when {@code classes < 1}
         */
        public Builder classes(int classes) {
            if (classes < 1) {
                throw new IllegalArgumentException("classes must be >= 1, got " + classes);
            }
            this.classes = classes;
            return this;
        }

        /**
         * Image channels (3 for RGB, 1 for greyscale).
         *
         * @param inputChannels channels C of the input images, >= 1
         * @return this builder
         * @throws IllegalArgumentException when {@code inputChannels < 1}
         */
        public Builder inputChannels(int inputChannels) {
            if (inputChannels < 1) {
                throw new IllegalArgumentException("input channels must be >= 1, got " + inputChannels);
            }
            this.inputChannels = inputChannels;
            return this;
        }

        /**
         * Normalisation scheme (default BATCHNORM).
         *
         * @param variant {@link Variant#BATCHNORM} or {@link Variant#FIXUP}; not null
         * @return this builder
         * @throws NullPointerException when {@code variant} is null
         */
        public Builder variant(Variant variant) {
            this.variant = java.util.Objects.requireNonNull(variant, "variant");
            return this;
        }

        /**
         * Seed of the initialisation stream.
         *
         * @param seed any value; equal seeds and settings give equal networks
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Floating-point type of parameters (FLOAT or DOUBLE).
         *
         * @param dataType the parameters' type; inputs must have the same type
         * @return this builder
         * @throws IllegalArgumentException when {@code dataType} is neither FLOAT nor DOUBLE
         */
        public Builder dataType(DataType dataType) {
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
                throw new IllegalArgumentException("Wide ResNet parameters must be FLOAT or DOUBLE, got " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /**
         * Whether float32 feature maps pass between layers in oneDNN's channel-blocked layout (default true; see
         * {@link ChannelBlocking}). The layout changes no value beyond float rounding, parameters and their names
         * are the same, and float64 networks are unaffected; false keeps {@code [N, C, H, W]} arrays between all
         * layers, for code that reads a block's intermediate maps.
         *
         * @param channelBlocks true for the faster channel-blocked maps, false for NCHW ones throughout
         * @return this builder
         */
        public Builder channelBlocks(boolean channelBlocks) {
            this.channelBlocks = channelBlocks;
            return this;
        }

        /**
         * The architecture (call {@link WideResNet#build()} for a network).
         *
         * @return the architecture with this builder's settings
         */
        public WideResNet architecture() {
            return new WideResNet(this);
        }

        /**
         * Shorthand for {@code architecture().build()}.
         *
         * @return a new, freshly initialised network
         */
        public Network build() {
            return architecture().build();
        }
    }
}
