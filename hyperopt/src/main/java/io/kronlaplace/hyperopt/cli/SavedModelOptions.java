package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.validation.data.ChannelNormalization;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} option of the commands that work on a model written by {@code train}. */
public final class SavedModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "Model file written by 'train' (OUT/model.klm).")
    Path modelFile;

    /** A saved model with its data, normalised as the model was trained. */
    record Loaded(SavedModel model, DataOptions.Loaded raw, ChannelNormalization normalization) {
    }

    /** Reads the model, then reads or generates the data. */
    Loaded load(DataOptions data) throws IOException {
        SavedModel model = SavedModel.read(modelFile);
        return new Loaded(model, data.load(),
                new ChannelNormalization(model.normalizationMean(), model.normalizationStd()));
    }

    /** The model file given with {@code --model}. */
    Path file() {
        return modelFile;
    }
}
