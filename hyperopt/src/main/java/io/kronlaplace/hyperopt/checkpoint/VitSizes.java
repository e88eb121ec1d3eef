package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.nn.TokenPool;
import io.kronlaplace.nn.models.VisionTransformer;
import java.util.Objects;

/**
 * The sizes of a vision transformer, as a saved model records them (see {@link VisionTransformer} for their meaning).
 *
 * @param imageSize side of the square input images
 * @param patchSize side of the square patches
 * @param width     token width
 * @param depth     transformer blocks
 * @param heads     attention heads
 * @param mlpRatio  MLP hidden width / width
 * @param pooling   class-token or mean pooling
 */
public record VitSizes(int imageSize, int patchSize, int width, int depth, int heads, int mlpRatio,
                       TokenPool.Kind pooling) implements java.io.Serializable {
    /**
     * Checks that the sizes make a ViT (the builder's own checks, with its messages).
     *
     * @param imageSize side of the square input images, a multiple of the patch size
     * @param patchSize side of the square patches
     * @param width     token width, a multiple of the heads
     * @param depth     transformer blocks
     * @param heads     attention heads
     * @param mlpRatio  MLP hidden width / width
     * @param pooling   class-token or mean pooling, not null
     * @throws NullPointerException     when the pooling is null
     * @throws IllegalArgumentException on sizes {@link VisionTransformer.Builder} rejects
     */
    public VitSizes {
        Objects.requireNonNull(pooling, "pooling");
        configure(VisionTransformer.builder(), imageSize, patchSize, width, depth, heads, mlpRatio, pooling)
                .architecture();
    }

    /**
     * A builder with these sizes.
     *
     * @return a new builder; classes, channels, seed and data type are the caller's to set
     */
    public VisionTransformer.Builder builder() {
        return configure(VisionTransformer.builder(), imageSize, patchSize, width, depth, heads, mlpRatio, pooling);
    }

    private static VisionTransformer.Builder configure(VisionTransformer.Builder b, int imageSize, int patchSize,
                                                       int width, int depth, int heads, int mlpRatio,
                                                       TokenPool.Kind pooling) {
        return b.imageSize(imageSize).patchSize(patchSize).width(width).depth(depth).heads(heads).mlpRatio(mlpRatio)
                .pooling(pooling);
    }
}
