package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.laplace.LikelihoodType;
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
     * A saved model with its data: for an image or table model the data (images, or regression rows) and the input
     * normalisation it was trained with, and where the data came from (and no graphs); for a graph network the graphs
     * (and no other data).
     */
    record Loaded(SavedModel model, FileData.Loaded data, DataSource source, ChannelNormalization normalization,
                  GraphDataOptions.Loaded graphs) {
        /**
         * The classification data.
         *
         * @return the raw images, or null for a regression model
         */
        DataOptions.Loaded raw() {
            return data.images();
        }
    }

    /**
     * Reads the model, then reads or generates the data of its kind (the other kind's options must be unused): the
     * data options when any is given, else the data the model records; a model that records none (written by an
     * older version) falls back to the data options' defaults, and {@code warning} says so.
     *
     * @throws IllegalArgumentException when the model and the data are of different tasks
     */
    Loaded load(DataOptions data, DataFormatOptions formats, GraphDataOptions graphData,
                java.util.function.Consumer<String> warning) throws IOException {
        if (Files.isDirectory(modelFile)) {
            throw new FileSystemException(modelFile.toString(), null, "a directory, not a model file: give "
                    + modelFile.resolve("model.klm"));
        }
        SavedModel model = SavedModel.read(modelFile);
        if (!model.architecture().kind().imageInputs()) {
            return new Loaded(model, null, null, null, graphData.load(data));
        }
        graphData.requireUnused(model.architecture().describe());
        DataSource source;
        if (formats.given() || data.cifar() || model.data() == null) {
            source = formats.resolve(data);
            if (model.data() == null && !formats.given() && !data.cifar()) {
                warning.accept("warning: " + modelFile + " records no training data; evaluating on synthetic images "
                        + "(give --data-dir or --train-file for other data)");
            }
        } else {
            source = model.data();
        }
        boolean regressionModel = model.regression() != null;
        if (regressionModel != (source.task() == LikelihoodType.REGRESSION)) {
            throw new IllegalArgumentException(modelFile + " is a " + (regressionModel ? "regression" : "classification")
                    + " model but the data is for " + source.task().name().toLowerCase(java.util.Locale.ROOT));
        }
        return new Loaded(model, FileData.load(source), source,
                new ChannelNormalization(model.normalizationMean(), model.normalizationStd()), null);
    }

    /** The model file given with {@code --model}. */
    Path file() {
        return modelFile;
    }
}
