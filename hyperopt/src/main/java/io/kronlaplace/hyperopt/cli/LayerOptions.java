package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.validation.data.ImageDataset;
import java.util.List;
import picocli.CommandLine.Option;

/** The sizes of an MLP or a plain CNN ({@code --model-kind MLP} or {@code CNN}); the image size comes from the data. */
public final class LayerOptions {
    @Option(names = "--hidden", paramLabel = "W", split = ",",
            description = "Widths of the hidden dense layers, comma-separated: the MLP's layers, or the CNN's dense "
                    + "layers after its convolutions (default: 256,128 for MLP, none for CNN).")
    List<Integer> hidden;

    @Option(names = "--channels", paramLabel = "C", split = ",", defaultValue = "16,32",
            description = "CNN convolution stages, comma-separated output channels; each stage is a 3x3 convolution, "
                    + "ReLU and 2x2 average pooling (default: ${DEFAULT-VALUE}).")
    List<Integer> channels;

    /**
     * The MLP or CNN these options describe for images like {@code train}'s.
     *
     * @param kind  MLP or CNN
     * @param train gives the image size, channels and classes
     * @return the architecture
     * @throws IllegalArgumentException for another kind, non-square images or sizes that are not positive
     */
    public ModelArchitecture architecture(ModelKind kind, ImageDataset train) {
        if (train.height() != train.width()) {
            throw new IllegalArgumentException("MLP and CNN models need square images, got " + train.height() + "x"
                    + train.width());
        }
        return switch (kind) {
            case MLP -> ModelArchitecture.mlp(train.height(), mlpHidden(),
                    train.numClasses(), train.channels());
            case CNN -> ModelArchitecture.cnn(train.height(), channels, hidden != null ? hidden : List.of(),
                    train.numClasses(), train.channels());
            default -> throw new IllegalArgumentException("--hidden and --channels size MLP and CNN models, not "
                    + kind);
        };
    }

    /**
     * The MLP these options describe over a table's features (stored as one "channel" per feature, image size 1).
     *
     * @param features input features
     * @param outputs  outputs (classes, or 1 for regression)
     * @return the architecture
     */
    public ModelArchitecture tabular(int features, int outputs) {
        return ModelArchitecture.mlp(1, mlpHidden(), outputs, features);
    }

    private List<Integer> mlpHidden() {
        return hidden != null ? hidden : List.of(256, 128);
    }
}
