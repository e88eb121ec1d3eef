package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.io.TorchNames;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.ConvNet;
import io.kronlaplace.nn.models.Mlp;
import io.kronlaplace.nn.models.WideResNet;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which network a saved model is: enough to rebuild it before loading its weights.
 *
 * @param depth         Wide ResNet depth d = 6n + 4 (0 for other kinds)
 * @param widen         Wide ResNet widening factor k (0 for other kinds)
 * @param classes       outputs: classes, or binary tasks of a graph network
 * @param inputChannels image channels (0 for a graph network)
 * @param variant       Wide ResNet BatchNorm or Fixup (null for other kinds)
 * @param kind          the network family; null (files written before it was recorded) reads as {@link ModelKind#WRN}
 * @param vit           the sizes of a {@link ModelKind#VIT}, else null
 * @param graph         the sizes of a {@link ModelKind#GNN}, else null
 * @param layers        the sizes of an {@link ModelKind#MLP} or {@link ModelKind#CNN}, else null
 */
public record ModelArchitecture(int depth, int widen, int classes, int inputChannels, WideResNet.Variant variant,
                                ModelKind kind, VitSizes vit, GraphSizes graph, LayerSizes layers)
        implements java.io.Serializable {
    /**
     * Defaults a missing kind to WRN and requires the fields of the kind.
     *
     * @param depth         Wide ResNet depth d = 6n + 4 (0 for other kinds; checked by {@link #minimumParameterValues})
     * @param widen         Wide ResNet widening factor k (0 for other kinds)
     * @param classes       outputs: classes, or binary tasks of a graph network
     * @param inputChannels image channels (0 for a graph network)
     * @param variant       Wide ResNet BatchNorm or Fixup; required for a WRN, null for other kinds
     * @param kind          the network family; null reads as {@link ModelKind#WRN}
     * @param vit           the sizes of a {@link ModelKind#VIT}, required for one, else null
     * @param graph         the sizes of a {@link ModelKind#GNN}, required for one, else null
     * @param layers        the sizes of an {@link ModelKind#MLP} or {@link ModelKind#CNN}, required for one, else null
     * @throws NullPointerException     when the sizes (or the variant) the kind needs are null
     * @throws IllegalArgumentException for a CNN without convolution stages
     */
    public ModelArchitecture {
        kind = kind == null ? ModelKind.WRN : kind;
        switch (kind) {
            case WRN -> Objects.requireNonNull(variant, "variant");
            case VIT -> Objects.requireNonNull(vit, "ViT sizes");
            case GNN -> Objects.requireNonNull(graph, "graph-network sizes");
            case MLP -> Objects.requireNonNull(layers, "MLP sizes");
            case CNN -> {
                Objects.requireNonNull(layers, "CNN sizes");
                if (layers.channels().isEmpty()) {
                    throw new IllegalArgumentException("a CNN needs at least one convolution stage");
                }
            }
        }
    }

    /**
     * A Wide ResNet or a ViT (the form before graph networks, MLPs and CNNs were recorded).
     *
     * @param depth         Wide ResNet depth d = 6n + 4 (0 for a ViT)
     * @param widen         Wide ResNet widening factor k (0 for a ViT)
     * @param classes       outputs
     * @param inputChannels image channels
     * @param variant       Wide ResNet BatchNorm or Fixup; required for a WRN, null for a ViT
     * @param kind          {@link ModelKind#WRN} or {@link ModelKind#VIT}; null reads as WRN
     * @param vit           the sizes of a ViT, required for one, else null
     * @throws NullPointerException when the variant of a WRN or the sizes of a ViT are null
     */
    public ModelArchitecture(int depth, int widen, int classes, int inputChannels, WideResNet.Variant variant,
                             ModelKind kind, VitSizes vit) {
        this(depth, widen, classes, inputChannels, variant, kind, vit, null, null);
    }

    /**
     * A Wide ResNet.
     *
     * @param depth         depth d = 6n + 4, at least 10 (checked by {@link #minimumParameterValues})
     * @param widen         widening factor k, at least 1
     * @param classes       outputs
     * @param inputChannels image channels
     * @param variant       BatchNorm or Fixup, not null
     * @throws NullPointerException when the variant is null
     */
    public ModelArchitecture(int depth, int widen, int classes, int inputChannels, WideResNet.Variant variant) {
        this(depth, widen, classes, inputChannels, variant, ModelKind.WRN, null);
    }

    /**
     * A vision transformer with these sizes.
     *
     * @param sizes         the transformer's sizes, not null
     * @param classes       outputs
     * @param inputChannels image channels
     * @return the architecture
     * @throws NullPointerException when the sizes are null
     */
    public static ModelArchitecture vit(VitSizes sizes, int classes, int inputChannels) {
        return new ModelArchitecture(0, 0, classes, inputChannels, null, ModelKind.VIT, sizes, null, null);
    }

    /**
     * A graph network with these sizes and one binary output per task.
     *
     * @param sizes the graph network's sizes, not null
     * @param tasks binary tasks, one output each
     * @return the architecture
     * @throws NullPointerException when the sizes are null
     */
    public static ModelArchitecture gnn(GraphSizes sizes, int tasks) {
        return new ModelArchitecture(0, 0, tasks, 0, null, ModelKind.GNN, null, sizes, null);
    }

    /**
     * The observation model of the outputs.
     *
     * @return {@link LikelihoodType#BINARY} (multi-label) for a graph network, else softmax
     *         {@link LikelihoodType#CLASSIFICATION}
     */
    public LikelihoodType likelihood() {
        return kind == ModelKind.GNN ? LikelihoodType.BINARY : LikelihoodType.CLASSIFICATION;
    }

    /**
     * A multilayer perceptron over flattened images.
     *
     * @param imageSize     side of the square input images
     * @param hidden        hidden widths, input side first
     * @param classes       outputs
     * @param inputChannels image channels
     * @return the architecture
     */
    public static ModelArchitecture mlp(int imageSize, List<Integer> hidden, int classes, int inputChannels) {
        return new ModelArchitecture(0, 0, classes, inputChannels, null, ModelKind.MLP,
                null, null, new LayerSizes(imageSize, List.of(), hidden));
    }

    /**
     * A plain CNN: 3 x 3 convolution, ReLU and 2 x 2 average pooling per stage, then dense layers.
     *
     * @param imageSize     side of the square input images
     * @param channels      output channels per stage, at least one stage
     * @param hidden        widths of the dense layers after the convolutions
     * @param classes       outputs
     * @param inputChannels image channels
     * @return the architecture
     */
    public static ModelArchitecture cnn(int imageSize, List<Integer> channels, List<Integer> hidden, int classes,
                                        int inputChannels) {
        return new ModelArchitecture(0, 0, classes, inputChannels, null, ModelKind.CNN, null, null,
                new LayerSizes(imageSize, channels, hidden));
    }

    /**
     * How this architecture's tensors are named in a PyTorch {@code state_dict} (see docs/pytorch-import.md).
     *
     * @return the mapping
     * @throws IllegalArgumentException for a ViT, whose PyTorch layouts are not mapped yet
     */
    public TorchNames torchNames() {
        return switch (kind) {
            case WRN -> TorchNames.wideResNet();
            case MLP, CNN -> TorchNames.sequential();
            case VIT, GNN -> throw new IllegalArgumentException("PyTorch weights can be imported into WRN, MLP "
                    + "and CNN models, not into a " + (kind == ModelKind.VIT ? "ViT" : "graph network"));
        };
    }

    /**
     * Builds the network (float32) with a seeded initialisation.
     *
     * @param seed seed of the weight initialisation: the same seed gives the same initial weights
     * @return a new network of this architecture, ready for its weights to be loaded or trained
     * @throws IllegalArgumentException on sizes the network's builder rejects
     */
    public Network build(long seed) {
        return switch (kind) {
            case WRN -> WideResNet.builder().depth(depth).widen(widen).classes(classes).inputChannels(inputChannels)
                    .variant(variant).seed(seed).dataType(DataType.FLOAT).build();
            case VIT -> vit.builder().classes(classes).inputChannels(inputChannels).seed(seed)
                    .dataType(DataType.FLOAT).build();
            case GNN -> graph.builder().outputs(classes).seed(seed).dataType(DataType.FLOAT).build();
            case MLP -> Mlp.builder().inputs(Math.multiplyExact((long) inputChannels,
                            (long) layers.imageSize() * layers.imageSize())).hidden(layers.hiddenArray())
                    .classes(classes).seed(seed).dataType(DataType.FLOAT).build();
            case CNN -> ConvNet.builder().inputChannels(inputChannels).imageSize(layers.imageSize())
                    .channels(layers.channelArray()).hidden(layers.hiddenArray()).classes(classes).seed(seed)
                    .dataType(DataType.FLOAT).build();
        };
    }

    /**
     * A lower bound on the number of parameter values, computed without building the network, so that a file whose
     * architecture claims far more values than it holds is refused before anything is allocated: for a Wide ResNet the
     * 3 x 3 convolutions of the last group's n blocks (64k to 64k channels) and the classifier, for a ViT the
     * attention projections (4 w^2) and MLPs (2 r w^2) of every block and the head, for a graph network the MLP
     * layers that map width or more features to width (per block 2 L - 1 of them, L layers per MLP) and the head.
     *
     * @return a lower bound on the values the network's parameters hold, at least 1
     * @throws IllegalArgumentException on sizes the builder rejects or whose parameter count overflows a long
     */
    public long minimumParameterValues() {
        if (classes < 1) {
            throw new IllegalArgumentException("invalid architecture: " + classes + " classes");
        }
        if (kind == ModelKind.WRN && (depth < 10 || (depth - 4) % 6 != 0 || widen < 1)) {
            throw new IllegalArgumentException("invalid architecture: depth " + depth + ", widen " + widen
                    + ", classes " + classes);
        }
        try {
            return switch (kind) {
                case WRN -> {
                    long width = Math.multiplyExact(64L, widen);
                    long lastGroup = Math.multiplyExact((depth - 4L) / 6,
                            Math.multiplyExact(9L, Math.multiplyExact(width, width)));
                    yield Math.addExact(lastGroup, Math.multiplyExact(width, (long) classes));
                }
                case VIT -> {
                    long width = vit.width();
                    long perBlock = Math.multiplyExact(Math.multiplyExact(width, width), 4L + 2L * vit.mlpRatio());
                    yield Math.addExact(Math.multiplyExact(perBlock, (long) vit.depth()),
                            Math.multiplyExact(width, (long) classes));
                }
                case GNN -> Math.addExact(graph.minimumBlockValues(),
                        Math.multiplyExact((long) graph.width(), (long) classes));
                case MLP, CNN -> denseWeightValues();
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("architecture " + describe() + " with " + classes
                    + " classes has more values than a file can hold", e);
        }
    }

    /**
     * The weight values of an MLP or CNN without biases: 9 Cin Cout per convolution stage, in x out per dense layer
     * (the flattened features are the last stage's channels times the side halved once per stage).
     */
    private long denseWeightValues() {
        long values = 0;
        long in = inputChannels;
        long side = layers.imageSize();
        for (int c : layers.channels()) {
            values = Math.addExact(values, Math.multiplyExact(9L, Math.multiplyExact(in, (long) c)));
            in = c;
            side /= 2;
        }
        long width = Math.multiplyExact(in, Math.multiplyExact(side, side));
        for (int h : layers.hidden()) {
            values = Math.addExact(values, Math.multiplyExact(width, (long) h));
            width = h;
        }
        return Math.addExact(values, Math.multiplyExact(width, (long) classes));
    }

    /**
     * A one-line description of the architecture for messages and reports.
     *
     * @return text such as "WRN-16-4 (FIXUP)", "ViT depth=2 width=32 heads=2 patch=8 mlp=2 (CLASS_TOKEN)",
     *         "MLP hidden=[256, 128]", "CNN channels=[16, 32] hidden=[]" or
     *         "GNN blocks=3 width=32 mlp=2 (SUM, RELU, NODE_MEAN)"; the classes are not part of it
     */
    public String describe() {
        return switch (kind) {
            case WRN -> "WRN-" + depth + "-" + widen + " (" + variant + ")";
            case VIT -> "ViT depth=" + vit.depth() + " width=" + vit.width() + " heads=" + vit.heads() + " patch="
                    + vit.patchSize() + " mlp=" + vit.mlpRatio() + " (" + vit.pooling() + ")";
            case GNN -> "GNN blocks=" + graph.blocks() + " width=" + graph.width() + " mlp=" + graph.mlpLayers()
                    + " (" + graph.aggregation() + ", " + graph.activation() + ", " + graph.readout() + ")";
            case MLP -> "MLP hidden=" + layers.hidden();
            case CNN -> "CNN channels=" + layers.channels() + " hidden=" + layers.hidden();
        };
    }
}
