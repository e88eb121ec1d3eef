package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.VitSizes;
import io.kronlaplace.nn.TokenPool;
import picocli.CommandLine.Option;

/** The sizes of a vision transformer ({@code --model-kind VIT}); the image size comes from the data. */
public final class VitOptions {
    @Option(names = "--vit-patch", paramLabel = "P", defaultValue = "8",
            description = "ViT patch size; must divide the image size (default: ${DEFAULT-VALUE}).")
    int patch;

    @Option(names = "--vit-width", paramLabel = "D", defaultValue = "32",
            description = "ViT token width, divisible by the heads (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--vit-depth", paramLabel = "L", defaultValue = "2",
            description = "ViT transformer blocks (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--vit-heads", paramLabel = "H", defaultValue = "2",
            description = "ViT attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--vit-mlp-ratio", paramLabel = "R", defaultValue = "2",
            description = "ViT MLP hidden width / token width (default: ${DEFAULT-VALUE}).")
    int mlpRatio;

    @Option(names = "--vit-pooling", paramLabel = "POOL", defaultValue = "CLASS_TOKEN",
            description = "ViT head input: CLASS_TOKEN or MEAN over the tokens (default: ${DEFAULT-VALUE}).")
    TokenPool.Kind pooling;

    /**
     * The transformer's sizes for the data's images.
     *
     * @param imageSize side of the square images of the data, divisible by {@code --vit-patch}
     * @return the sizes given by the options
     * @throws IllegalArgumentException naming the size that does not fit, e.g. a patch size that does not divide
     *                                  the image size
     */
    public VitSizes sizes(int imageSize) {
        return new VitSizes(imageSize, patch, width, depth, heads, mlpRatio, pooling);
    }
}
