package io.kronlaplace.nn.models;

import io.kronlaplace.nn.ClassToken;
import io.kronlaplace.nn.Gelu;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.LayerNorm;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.MultiHeadSelfAttention;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.PatchEmbedding;
import io.kronlaplace.nn.PositionalEmbedding;
import io.kronlaplace.nn.Residual;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.TokenPool;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Vision transformers (Dosovitskiy et al. 2021) for small square images: a patch embedding to {@code width}-wide
 * tokens, an optional class token, a learned positional embedding, {@code depth} pre-norm blocks
 * {@code x + attention(norm1(x))} then {@code x + mlp(norm2(x))} (the MLP is Linear-GELU-Linear with hidden width
 * {@code mlpRatio * width}), a final LayerNorm, the class-token or mean pooling, and a linear classifier.
 *
 * <p>Initialisation from one seeded stream: Glorot-normal weights for every Linear layer and the patch projection,
 * zero biases, N(0, 0.02^2) for the class token and the positional embedding, LayerNorm gamma = 1 and beta = 0.
 *
 * <p>Module names: {@code patch}, {@code cls} (class-token pooling only), {@code pos}, {@code block1..depth} each with
 * {@code attn} ({@code norm}, {@code attention}) and {@code mlp} ({@code norm}, {@code fc1}, {@code gelu},
 * {@code fc2}) residuals, then {@code norm}, {@code pool} and {@code head}. Every Linear layer and the patch
 * projection are Kronecker-factored; see docs/transformers.md.
 */
public final class VisionTransformer {
    private final int imageSize;
    private final int inputChannels;
    private final int patchSize;
    private final int width;
    private final int depth;
    private final int heads;
    private final int mlpRatio;
    private final int classes;
    private final TokenPool.Kind pooling;
    private final long seed;
    private final DataType dataType;

    private VisionTransformer(Builder b) {
        if (b.imageSize % b.patchSize != 0) {
            throw new IllegalArgumentException("image size " + b.imageSize + " is not divisible by the patch size "
                    + b.patchSize);
        }
        if (b.width % b.heads != 0) {
            throw new IllegalArgumentException("width " + b.width + " is not divisible by the number of heads "
                    + b.heads);
        }
        this.imageSize = b.imageSize;
        this.inputChannels = b.inputChannels;
        this.patchSize = b.patchSize;
        this.width = b.width;
        this.depth = b.depth;
        this.heads = b.heads;
        this.mlpRatio = b.mlpRatio;
        this.classes = b.classes;
        this.pooling = b.pooling;
        this.seed = b.seed;
        this.dataType = b.dataType;
    }

    /**
     * A builder with the defaults: 16 x 16 images, 3 channels, patch 4, width 32, depth 2, 2 heads, MLP ratio 2,
     * 10 classes, class-token pooling, seed 0, float32.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Readable architecture name, e.g. "ViT depth=2 width=32 heads=2 patch=4 mlp=2 CLASS_TOKEN img=16 in=3 classes=10".
     *
     * @return one line naming every setting but the seed and the data type
     */
    public String description() {
        return "ViT depth=" + depth + " width=" + width + " heads=" + heads + " patch=" + patchSize + " mlp="
                + mlpRatio + " " + pooling + " img=" + imageSize + " in=" + inputChannels + " classes=" + classes;
    }

    /**
     * Tokens per image after the patch embedding (without the class token).
     *
     * @return {@code (imageSize / patchSize)^2}
     */
    public int patches() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /**
     * Assembles a freshly initialised network.
     *
     * @return a new network taking {@code [N, inputChannels, imageSize, imageSize]} images and giving
     *         {@code [N, classes]} logits; every call draws the same weights from the seed
     */
    public Network build() {
        Init init = new Init(seed, dataType, Init.Scheme.XAVIER_NORMAL);
        Sequential root = new Sequential();
        root.add("patch", new PatchEmbedding(inputChannels, width, patchSize, init));
        int tokens = patches();
        if (pooling == TokenPool.Kind.CLASS_TOKEN) {
            root.add("cls", new ClassToken(width, init));
            tokens++;
        }
        root.add("pos", new PositionalEmbedding(tokens, width, init));
        for (int b = 1; b <= depth; b++) {
            Sequential attention = new Sequential()
                    .add("norm", new LayerNorm(width, dataType))
                    .add("attention", new MultiHeadSelfAttention(width, heads, init));
            long hidden = (long) mlpRatio * width;
            Sequential mlp = new Sequential()
                    .add("norm", new LayerNorm(width, dataType))
                    .add("fc1", new Linear(width, hidden, true, init))
                    .add("gelu", new Gelu())
                    .add("fc2", new Linear(hidden, width, true, init));
            root.add("block" + b, new Sequential().add("attn", new Residual(attention)).add("mlp", new Residual(mlp)));
        }
        root.add("norm", new LayerNorm(width, dataType));
        root.add("pool", new TokenPool(pooling));
        root.add("head", new Linear(width, classes, true, init));
        return new Network(root);
    }

    /** Builder for {@link VisionTransformer}; every setter validates its argument. */
    public static final class Builder {
        private int imageSize = 16;
        private int inputChannels = 3;
        private int patchSize = 4;
        private int width = 32;
        private int depth = 2;
        private int heads = 2;
        private int mlpRatio = 2;
        private int classes = 10;
        private TokenPool.Kind pooling = TokenPool.Kind.CLASS_TOKEN;
        private long seed = 0;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /**
         * Side of the square input images, >= 1 and divisible by the patch size.
         *
         * @param imageSize image height and width in pixels (divisibility is checked by {@link #architecture()})
         * @return this builder
         * @throws IllegalArgumentException when {@code imageSize < 1}
         */
        public Builder imageSize(int imageSize) {
            this.imageSize = positive(imageSize, "image size");
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
            this.inputChannels = positive(inputChannels, "input channels");
            return this;
        }

        /**
         * Side of the square patches, >= 1.
         *
         * @param patchSize patch height and width in pixels, which must divide the image size
         * @return this builder
         * @throws IllegalArgumentException when {@code patchSize < 1}
         */
        public Builder patchSize(int patchSize) {
            this.patchSize = positive(patchSize, "patch size");
            return this;
        }

        /**
         * Token width D, >= 1 and divisible by the number of heads.
         *
         * @param width features per token (divisibility is checked by {@link #architecture()})
         * @return this builder
         * @throws IllegalArgumentException when {@code width < 1}
         */
        public Builder width(int width) {
            this.width = positive(width, "width");
            return this;
        }

        /**
         * Number of transformer blocks, >= 0 (0 gives patch embedding, norm and head only).
         *
         * @param depth the number of attention-plus-MLP blocks
         * @return this builder
         * @throws IllegalArgumentException when {@code depth < 0}
         */
        public Builder depth(int depth) {
            if (depth < 0) {
                throw new IllegalArgumentException("ViT depth must be >= 0, got " + depth);
            }
            this.depth = depth;
            return this;
        }

        /**
         * Attention heads per block, >= 1.
         *
         * @param heads heads H of every self-attention layer, which must divide the width
         * @return this builder
         * @throws IllegalArgumentException when {@code heads < 1}
         */
        public Builder heads(int heads) {
            this.heads = positive(heads, "heads");
            return this;
        }

        /**
         * Hidden width of the MLPs as a multiple of the width, >= 1.
         *
         * @param mlpRatio the factor r: the MLPs' hidden layers have {@code r * width} features
         * @return this builder
         * @throws IllegalArgumentException when {@code mlpRatio < 1}
         */
        public Builder mlpRatio(int mlpRatio) {
            this.mlpRatio = positive(mlpRatio, "MLP ratio");
            return this;
        }

        /**
         * Number of output classes, >= 1.
         *
         * @param classes output features of the head
         * @return this builder
         * @throws IllegalArgumentException when {@code classes < 1}
         */
        public Builder classes(int classes) {
            this.classes = positive(classes, "classes");
            return this;
        }

        /**
         * Class-token or mean pooling before the head.
         *
         * @param pooling {@link TokenPool.Kind#CLASS_TOKEN} (adds the {@code cls} module) or
         *                {@link TokenPool.Kind#MEAN}; not null
         * @return this builder
         * @throws NullPointerException when {@code pooling} is null
         */
        public Builder pooling(TokenPool.Kind pooling) {
            this.pooling = Objects.requireNonNull(pooling, "pooling");
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
                throw new IllegalArgumentException("ViT parameters must be FLOAT or DOUBLE, got " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /**
         * The architecture (call {@link VisionTransformer#build()} for a network); checks divisibility.
         *
         * @return the architecture with this builder's settings
         * @throws IllegalArgumentException when the patch size does not divide the image size or the number of heads
         *                                  does not divide the width
         */
        public VisionTransformer architecture() {
            return new VisionTransformer(this);
        }

        /**
         * Shorthand for {@code architecture().build()}.
         *
         * @return a new, freshly initialised network
         * @throws IllegalArgumentException when the settings do not fit together (see {@link #architecture()})
         */
        public Network build() {
            return architecture().build();
        }

        private static int positive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException("ViT " + what + " must be >= 1, got " + value);
            }
            return value;
        }
    }
}
