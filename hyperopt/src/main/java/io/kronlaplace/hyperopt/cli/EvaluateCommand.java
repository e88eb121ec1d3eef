package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.GraphModelEvaluation;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.ReportWriter;
import io.kronlaplace.validation.report.WrittenReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kronlaplace evaluate}: MAP vs K-FAC Laplace (GLM probit and MC) of a saved model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fit a K-FAC Laplace posterior to a saved model (from 'train') at its learned prior precisions "
                + "and report MAP vs Laplace (GLM probit, GLM Monte-Carlo) on the test set, rotated and noisy test "
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

    @Mixin
    PredictiveOptions predictive;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Images or graphs per batch; the memory of the Laplace predictive grows linearly with it "
                    + "(default: ${DEFAULT-VALUE}, as in train's evaluation).")
    int batchSize;

    @Mixin
    SeedOptions seeds;

    /** The command evaluating in this JVM. */
    public EvaluateCommand() {
        this(EvaluationRunner.IN_PROCESS);
    }

    /** The command evaluating with {@code runner} (e.g. on a cluster). */
    public EvaluateCommand(EvaluationRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * Checks the options, then owns {@code --out} for the whole run (a second run into it fails with
     * {@link ExitCodes#LOCKED}).
     */
    @Override
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
        SavedModelOptions.Loaded loaded = saved.load(data, graphData);
        SavedModel model = loaded.model();
        Network network = model.network();
        PriorPrecision prior;
        if (priorPrecision != null) {
            prior = PriorPrecision.scalar(priorPrecision);
        } else {
            prior = model.prior();
        }
        Consumer<String> status = line -> {
            if (!common.quiet()) {
                err.println(line);
                err.flush();
            }
        };
        EvaluationReport.Builder report = EvaluationReport.builder("Laplace evaluation of "
                + model.architecture().describe());
        if (loaded.graphs() != null) {
            GraphDataset train = loaded.graphs().train();
            report.description(description(flavour, prior, train.size() + " training graphs of " + train.name()));
            new GraphModelEvaluation(network, prior, flavour, batchSize, status)
                    .evaluate(train, loaded.graphs().test(), report);
        } else {
            DataOptions.Loaded raw = loaded.raw();
            ChannelNormalization norm = loaded.normalization();
            ImageDataset train = norm.apply(raw.train());
            report.description(description(flavour, prior, train.size() + " training images of " + train.name()));
            ModelEvaluation evaluation = new ModelEvaluation(network, prior, flavour, batchSize, mcSamples, seed,
                    status);
            runner.evaluate(evaluation, model.architecture(), train, norm.apply(raw.test()),
                    DataOptions.normalize(DataOptions.shifts(raw.test(), seed + 7), norm), norm.apply(raw.ood()),
                    report);
        }
        WrittenReport written = ReportWriter.write(report.build(), out);
        PrintWriter stdout = spec.commandLine().getOut();
        ReportPaths.print(stdout, written);
        stdout.flush();
        return ExitCodes.OK;
    }

    private String description(KfacFlavour flavour, PriorPrecision prior, String curvatureData) {
        return String.format(Locale.ROOT, "Model %s; K-FAC-%s Laplace over all weights, prior %s; curvature on %s.",
                saved.file(), flavour.name().toLowerCase(Locale.ROOT), prior, curvatureData);
    }
}
