package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.io.TorchStateDict;
import io.kronlaplace.nn.Network;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --weights} option: start from a PyTorch {@code state_dict} saved as safetensors. */
public final class WeightsImportOptions {
    @Option(names = "--weights", paramLabel = "FILE",
            description = "PyTorch state_dict in safetensors format (safetensors.torch.save_file) to load into the "
                    + "network instead of a random initialisation; names follow docs/pytorch-import.md.")
    Path file;

    /**
     * Loads the weights into {@code network} when {@code --weights} was given, else does nothing.
     *
     * @param architecture the network's architecture, which names its tensors in PyTorch
     * @param network      receives the values; unchanged on any mismatch
     * @throws io.kronlaplace.io.WeightsFileException listing every missing, extra or mis-shaped tensor
     * @throws IOException                           when the file cannot be read or is not safetensors
     */
    public void loadInto(ModelArchitecture architecture, Network network) throws IOException {
        if (file != null) {
            TorchStateDict.load(network, file, architecture.torchNames());
        }
    }
}
