package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.GraphModelEvaluation;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.hyperopt.RegressionEvaluation;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.hyperopt.checkpoint.TargetScaling;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.ReportWriter;
import io.kronlaplace.validation.report.WrittenReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kronlaplace evaluate}: MAP vs K-FAC Laplace (GLM predictive under the chosen links) of a saved model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fit a K-FAC Laplace posterior to a saved model (from 'train') at its learned prior precisions "
                + "and report MAP vs Laplace (the GLM predictive under each --link; by default over the last layer "
                + "with the Monte-Carlo and the probit link) on the test set, rotated and noisy test "
                + "images and an out-of-distribution set; for a graph network MAP vs Laplace (GLM probit) average "
                + "precision, NLL and Brier score of the observed test labels.")
public final class EvaluateCommand implements Callable<Integer> {
    private final EvaluationRunner runner;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    DataOptions data;

    @Mixin
    DataFormatOptions formats;

    @Mixin
    GraphDataOptions graphData;

    @Mixin
    SavedModelOptions saved;

    @Mixin
    OutputOptions output;

    @Mixin
    FlavourOptions kfacFlavour;

    @Option(names = "--prior-precision", paramLabel = "DELTA",
            description = "Use this scalar prior precision instead of the learned ones.")
    Double priorPrecision;

    @Option(names = "--subset", paramLabel = "WEIGHTS", defaultValue = "LAST_LAYER",
            description = "Weights the K-FAC posterior of an image classifier covers: ALL or LAST_LAYER (the "
                    + "saved per-layer priors of the last layer's weight and bias); graph and regression models are "
                    + "evaluated over all weights (default: ${DEFAULT-VALUE}).")
    SubsetOfWeights subset;

    @Option(names = "--link", paramLabel = "LINK", split = ",", defaultValue = "MC,PROBIT",
            description = "Links of an image classifier's Laplace rows, a comma-separated list of PROBIT, MC, BRIDGE "
                    + "and BRIDGE_NORM, one row each in this order (default: ${DEFAULT-VALUE}).")
    List<LinkApproximation> links;

    @Mixin
    PredictiveOptions predictive;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Images or graphs per batch; the memory of the Laplace predictive grows linearly with it "
                    + "(default: ${DEFAULT-VALUE}, as in train's evaluation).")
    int batchSize;

    @Option(names = "--aug-samples", paramLabel = "S", defaultValue = "2",
            description = "Augmented copies per image when the saved model learned augmentation: MAP and Laplace are "
                    + "then those of the invariant model, averaging the outputs over S copies at the learned "
                    + "magnitudes, with the plain network's MAP as an extra row; 0 or 1 evaluates the plain network "
                    + "(default: ${DEFAULT-VALUE}).")
    int augmentationSamples;

    @Mixin
    SeedOptions seeds;

    /** The command evaluating in this JVM. */
    public EvaluateCommand() {
        this(EvaluationRunner.IN_PROCESS);
    }

    /**
     * The command evaluating with {@code runner} (e.g. on a cluster).
     *
     * @param runner fits the posterior and predicts the sets, not null
     * @throws NullPointerException when the runner is null
     */
    public EvaluateCommand(EvaluationRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * Checks the options, then owns {@code --out} for the whole run (a second run into it fails with
     * {@link ExitCodes#LOCKED}).
     */
    @Override
    @SuppressWarnings("try") // the output directory lock is held for its effect only
    public Integer call() throws Exception {
        predictive.mcSamples();
        DataOptions.positive(batchSize, "--batch-size");
        data.validate();
        try (OutputDirectoryLock lock = output.lock()) {
            return evaluate();
        }
    }

    private Integer evaluate() throws Exception {
        Threads.apply(common);
        Path out = output.directory();
        KfacFlavour flavour = kfacFlavour.flavour();
        int mcSamples = predictive.mcSamples();
        long seed = seeds.seed();
        PrintWriter err = spec.commandLine().getErr();
        if (augmentationSamples < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--aug-samples must be >= 0, got "
                    + augmentationSamples);
        }
        Consumer<String> status = line -> {
            if (!common.quiet()) {
                err.println(line);
                err.flush();
            }
        };
        ProgressListener progress = new ProgressListener(common.quiet(), err);
        SavedModelOptions.Loaded loaded = saved.load(data, formats, graphData, line -> {
            err.println(line);
            err.flush();
        });
        SavedModel model = loaded.model();
        Network network = model.network();
        PriorPrecision prior;
        if (priorPrecision != null) {
            prior = PriorPrecision.scalar(priorPrecision);
        } else {
            prior = model.prior();
        }
        EvaluationReport.Builder report = EvaluationReport.builder("Laplace evaluation of "
                + model.architecture().describe());
        RunDetails.commandAndSeed(report, spec, seed);
        if (loaded.graphs() != null) {
            GraphDataset train = loaded.graphs().train();
            report.description(description(flavour, prior, train.size() + " training graphs of " + train.name()));
            new GraphModelEvaluation(network, prior, flavour, batchSize, status)
                    .evaluate(train, loaded.graphs().test(), report);
        } else if (model.regression() != null) {
            TargetScaling scale = model.regression();
            ChannelNormalization inputs = loaded.normalization();
            RegressionDataset train = FileData.standardize(loaded.data().regressionTrain(), inputs, scale.mean(),
                    scale.std());
            report.description(description(flavour, prior, train.size() + " training rows of "
                    + loaded.source().describe()));
            new RegressionEvaluation(network, prior, flavour, scale.sigma(), true, batchSize, status)
                    .evaluate(train, FileData.standardize(loaded.data().regressionTest(), inputs, scale.mean(),
                            scale.std()), scale.mean(), scale.std(), report);
        } else {
            DataOptions.Loaded raw = loaded.raw();
            ChannelNormalization norm = loaded.normalization();
            ImageDataset train = norm.apply(raw.train());
            ModelEvaluation evaluation = imageEvaluation(network, prior, flavour, mcSamples, seed, status)
                    .withListener(progress);
            prior = evaluation.prior();
            String imageDescription = description(flavour, subset, prior, train.size() + " training images of "
                    + train.name());
            report.description(imageDescription);
            if (ModelEvaluation.learnedInvariance(model.eta(), augmentationSamples)) {
                if (runner != EvaluationRunner.IN_PROCESS) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "the invariant model (learned "
                            + "augmentation) is evaluated in one process; use --aug-samples 1 for the plain network");
                }
                evaluation = evaluation.asInvariantModel(model.eta(), augmentationSamples);
                report.description(imageDescription + " " + invariantNote(model.eta(), augmentationSamples));
            }
            boolean tabular = train.height() == 1 && train.width() == 1;
            ImageDataset test = norm.apply(raw.test());
            List<ShiftedDataset> shifts = tabular ? List.of()
                    : DataOptions.normalize(DataOptions.shifts(raw.test(), seed + 7), norm);
            ImageDataset ood = raw.ood() == null ? null : norm.apply(raw.ood());
            RunDetails.imageSizes(report, train, test, shifts, ood);
            try {
                runner.evaluate(evaluation, model.architecture(), train, test, shifts, ood, report);
            } finally {
                progress.close();
            }
        }
        WrittenReport written = ReportWriter.write(report.build(), out);
        PrintWriter stdout = spec.commandLine().getOut();
        ReportPaths.print(stdout, written);
        stdout.flush();
        return ExitCodes.OK;
    }

    /**
     * The report's note on an invariant-model evaluation.
     *
     * @param eta     the learned augmentation parameters
     * @param samples S, augmented copies per image
     * @return one sentence naming S, the magnitudes and the extra row
     */
    static String invariantNote(double[] eta, int samples) {
        StringBuilder magnitudes = new StringBuilder();
        for (io.kronlaplace.hyperopt.augment.AffineGenerator g : io.kronlaplace.hyperopt.augment.AffineGenerator
                .values()) {
            if (eta[g.ordinal()] != 0.0) {
                magnitudes.append(magnitudes.length() == 0 ? "" : ", ").append(g.name().toLowerCase(Locale.ROOT))
                        .append(String.format(Locale.ROOT, " %.3f", Math.abs(eta[g.ordinal()])));
            }
        }
        // "the model's" rather than "the learned": a run that ends before its first update keeps the start values
        return String.format(Locale.ROOT, "MAP and Laplace are the invariant model (outputs averaged over %d "
                + "augmented copies per image at the model's augmentation magnitudes: %s); \"%s\" is the plain "
                + "network.", samples, magnitudes, ModelEvaluation.PLAIN_MAP);
    }

    /**
     * The image classifier's evaluation over {@code --subset} with the rows of {@code --link}.
     *
     * @param network   the saved network
     * @param prior     the saved (or given) prior over all weights
     * @param flavour   the K-FAC flavour
     * @param mcSamples logit samples of the MC link
     * @param seed      seed of the MC link
     * @param status    receives progress lines
     * @return the evaluation
     * @throws CommandLine.ParameterException for a subset other than ALL and LAST_LAYER or a repeated link
     */
    private ModelEvaluation imageEvaluation(Network network, PriorPrecision prior, KfacFlavour flavour,
                                            int mcSamples, long seed, Consumer<String> status) {
        if (subset != SubsetOfWeights.ALL && subset != SubsetOfWeights.LAST_LAYER) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--subset must be ALL or LAST_LAYER, got "
                    + subset);
        }
        if (new HashSet<>(links).size() != links.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--link lists a link twice: " + links);
        }
        return new ModelEvaluation(network, prior, flavour, batchSize, mcSamples, seed, status)
                .withPosterior(subset, links);
    }

    private String description(KfacFlavour flavour, PriorPrecision prior, String curvatureData) {
        return description(flavour, SubsetOfWeights.ALL, prior, curvatureData);
    }

    private String description(KfacFlavour flavour, SubsetOfWeights covered, PriorPrecision prior,
                               String curvatureData) {
        String weights = covered == SubsetOfWeights.LAST_LAYER ? "the last layer" : "all weights";
        return String.format(Locale.ROOT, "Model %s; K-FAC-%s Laplace over %s, prior %s (not tuned); curvature on "
                + "%s.", saved.file(), flavour.name().toLowerCase(Locale.ROOT), weights, prior, curvatureData);
    }
}
