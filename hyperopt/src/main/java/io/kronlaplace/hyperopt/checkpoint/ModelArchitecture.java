package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which network a saved model is: enough to rebuild it before loading its weights.
 *
 * @param depth         Wide ResNet depth d = 6n + 4 (0 for other kinds)
 * @param widen         Wide ResNet widening factor k (0 for other kinds)
 * @param classes       outputs
 * @param inputChannels image channels
 * @param variant       Wide ResNet BatchNorm or Fixup (null for other kinds)
 * @param kind          the network family; null (files written before it was recorded) reads as {@link ModelKind#WRN}
 * @param vit           the sizes of a {@link ModelKind#VIT}, else null
 */
public record ModelArchitecture(int depth, int widen, int classes, int inputChannels, WideResNet.Variant variant,
                                ModelKind kind, VitSizes vit) {
    /** Defaults a missing kind to WRN and requires the fields of the kind. */
    public ModelArchitecture {
        kind = kind == null ? ModelKind.WRN : kind;
        switch (kind) {
            case WRN -> Objects.requireNonNull(variant, "variant");
            case VIT -> Objects.requireNonNull(vit, "ViT sizes");
        }
    }

    /** A Wide ResNet. */
    public ModelArchitecture(int depth, int widen, int classes, int inputChannels, WideResNet.Variant variant) {
        this(depth, widen, classes, inputChannels, variant, ModelKind.WRN, null);
    }

    /** A vision transformer with these sizes. */
    public static ModelArchitecture vit(VitSizes sizes, int classes, int inputChannels) {
        return new ModelArchitecture(0, 0, classes, inputChannels, null, ModelKind.VIT, sizes);
    }

    /** Builds the network (float32) with a seeded initialisation. */
    public Network build(long seed) {
        return switch (kind) {
            case WRN -> WideResNet.builder().depth(depth).widen(widen).classes(classes).inputChannels(inputChannels)
                    .variant(variant).seed(seed).dataType(DataType.FLOAT).build();
            case VIT -> vit.builder().classes(classes).inputChannels(inputChannels).seed(seed)
                    .dataType(DataType.FLOAT).build();
        };
    }

    /** "WRN-16-4 (FIXUP)" or "ViT depth=2 width=32 heads=2 patch=8 mlp=2 (CLASS_TOKEN)". */
    public String describe() {
        return switch (kind) {
            case WRN -> "WRN-" + depth + "-" + widen + " (" + variant + ")";
            case VIT -> "ViT depth=" + vit.depth() + " width=" + vit.width() + " heads=" + vit.heads() + " patch="
                    + vit.patchSize() + " mlp=" + vit.mlpRatio() + " (" + vit.pooling() + ")";
        };
    }
}
