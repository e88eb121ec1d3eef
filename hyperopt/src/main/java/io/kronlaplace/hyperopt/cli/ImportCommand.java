package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.NetworkState;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.io.TorchStateDict;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kronlaplace import}: turns a PyTorch {@code state_dict} (safetensors) into a model file that
 * {@code evaluate} and {@code curvature} work on, for post-hoc Laplace on a network trained elsewhere. See
 * docs/pytorch-import.md, section Command line.
 */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Import a network trained in PyTorch (its state_dict saved with safetensors.torch.save_file) "
                + "as a model file for 'evaluate' (post-hoc K-FAC Laplace) and 'curvature'.",
                "The network is WRN (--depth, --widen, --variant), MLP (--hidden) or CNN (--channels, --hidden); "
                        + "classes, channels and image size come from the data. Inputs are standardised per channel "
                        + "with the training images' statistics, which the model file records."},
        footer = {"", "Writes OUT/model.klm; then run 'kronlaplace evaluate --model OUT/model.klm' with the same data "
                + "options."})
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "PyTorch state_dict in safetensors format.")
    Path weights;

    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Option(names = "--model-kind", paramLabel = "KIND", required = true,
            description = "Network the weights belong to: WRN, MLP or CNN.")
    ModelKind modelKind;

    @Option(names = "--depth", paramLabel = "D", defaultValue = "16", description = "Wide ResNet depth 6n+4 "
            + "(default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--widen", paramLabel = "K", defaultValue = "4", description = "Wide ResNet widening factor "
            + "(default: ${DEFAULT-VALUE}).")
    int widen;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "BATCHNORM",
            description = "Wide ResNet BATCHNORM or FIXUP (default: ${DEFAULT-VALUE}).")
    WideResNet.Variant variant;

    @Mixin
    LayerOptions layers;

    @Option(names = "--prior-precision", paramLabel = "DELTA", defaultValue = "1.0",
            description = "Scalar prior precision recorded in the model file; 'evaluate --prior-precision' overrides "
                    + "it (default: ${DEFAULT-VALUE}).")
    double priorPrecision;

    /** Owns {@code --out} for the whole run (a second run into it fails with {@link ExitCodes#LOCKED}). */
    @Override
    @SuppressWarnings("try") // the output directory lock is held for its effect only
    public Integer call() throws Exception {
        if (!(priorPrecision > 0) || Double.isInfinite(priorPrecision)) {
            throw new IllegalArgumentException("--prior-precision must be positive and finite, got " + priorPrecision);
        }
        try (OutputDirectoryLock lock = output.lock()) {
            return importWeights();
        }
    }

    private Integer importWeights() throws Exception {
        Threads.apply(common);
        DataOptions.Loaded raw = data.load();
        ImageDataset train = raw.train();
        ModelArchitecture architecture = switch (modelKind) {
            case WRN -> new ModelArchitecture(depth, widen, train.numClasses(), train.channels(), variant);
            case MLP, CNN -> layers.architecture(modelKind, train);
            case VIT, GNN -> throw new IllegalArgumentException("PyTorch weights can be imported into WRN, MLP and "
                    + "CNN models, not into a " + (modelKind == ModelKind.VIT ? "ViT" : "graph network"));
        };
        Network network = architecture.build(0);
        TorchStateDict.load(network, weights, architecture.torchNames());
        ChannelNormalization norm = ChannelNormalization.fit(train);
        Path file = output.directory().resolve("model.klm");
        new SavedModel(architecture, norm.mean(), norm.std(), new double[] {priorPrecision}, new double[0],
                NetworkState.capture(network)).write(file);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "imported %s (%,d parameters) from %s%n", architecture.describe(),
                network.numParameters(), weights);
        stdout.println("model:  " + file.toAbsolutePath());
        stdout.flush();
        return ExitCodes.OK;
    }
}
