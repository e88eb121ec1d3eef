package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.validation.data.ChannelNormalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} option of the commands that work on a model written by {@code train}. */
public final class SavedModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "Model file written by 'train' (OUT/model.klm).")
    Path modelFile;

    /**
     * A saved model with its data: for an image model the images and the normalisation it was trained with (and no
     * graphs), for a graph network the graphs (and no images).
     */
    record Loaded(SavedModel model, DataOptions.Loaded raw, ChannelNormalization normalization,
                  GraphDataOptions.Loaded graphs) {
    }

    /**
     * Reads the model, then reads or generates the data of its kind (the other kind's options must be unused).
     *
     * @throws IllegalArgumentException when a model trained on CIFAR-10 is evaluated without {@code --data-dir}
     */
    Loaded load(DataOptions data, GraphDataOptions graphData) throws IOException {
        if (Files.isDirectory(modelFile)) {
            throw new FileSystemException(modelFile.toString(), null, "a directory, not a model file: give "
                    + modelFile.resolve("model.klm"));
        }
        SavedModel model = SavedModel.read(modelFile);
        if (!model.architecture().kind().imageInputs()) {
            return new Loaded(model, null, null, graphData.load(data));
        }
        graphData.requireUnused(model.architecture().describe());
        if (DataOptions.isCifar(model.dataSource()) && !data.cifar()) {
            throw new IllegalArgumentException("model " + modelFile + " was trained on CIFAR-10 ("
                    + model.dataSource() + "): give its --data-dir; without it the synthetic images would be "
                    + "evaluated");
        }
        return new Loaded(model, data.load(),
                new ChannelNormalization(model.normalizationMean(), model.normalizationStd()), null);
    }

    /** The model file given with {@code --model}. */
    Path file() {
        return modelFile;
    }
}
