package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.hyperopt.EpochSummary;
import io.kronlaplace.hyperopt.EpochTestEvaluation;
import io.kronlaplace.hyperopt.GraphModelEvaluation;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.RegressionEvaluation;
import io.kronlaplace.hyperopt.PriorStructure;
import io.kronlaplace.hyperopt.ScheduleKind;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.checkpoint.DataFormat;
import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.hyperopt.checkpoint.TargetScaling;
import io.kronlaplace.io.AtomicFiles;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.data.SupervisedDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.report.EpochRecord;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.ReportWriter;
import io.kronlaplace.validation.report.TrainingCurves;
import io.kronlaplace.validation.report.WrittenReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kronlaplace train}: online marginal-likelihood training of a Wide ResNet, a vision transformer or a graph
 * network (binary cross-entropy over multi-label graph targets with missing labels) with learned prior precisions and
 * (for images, optionally) learned augmentation, then MAP vs Laplace evaluation into a report directory.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Online marginal-likelihood training (Immer et al. 2021) of a Wide ResNet (or, with "
                + "--model-kind VIT, a vision transformer; with --model-kind GNN, a graph network on multi-label "
                + "graph targets) with K-FAC Laplace, learned prior precisions and learned augmentation, then MAP vs "
                + "Laplace evaluation.",
                "Without arguments: the built-in demo (synthetic images, WRN-10-1 Fixup, a few epochs, K-FAC-reduce, "
                        + "learned augmentation) in a few minutes on 2 cores.",
                "With --data-dir: WRN-16-4 on CIFAR-10 with the paper's settings (100 epochs; hours to days on a CPU)."},
        footer = {"", "Writes OUT/report.json, report.md, report.html (training curves; MAP vs Laplace GLM probit vs "
                + "Laplace GLM MC on the test split, rotated and noisy test images and an out-of-distribution set, "
                + "with calibration plots), OUT/model.klm (weights and learned hyperparameters of the best epoch; "
                + "use with 'evaluate') and OUT/checkpoint.klck (resume with --resume). An output directory holding an "
                + "earlier run's checkpoint is refused unless --resume or --overwrite is given.",
                "Exit codes: 0 success, 1 failure while running, 2 bad arguments, 3 missing or corrupt input file, "
                + "4 output directory owned by another running process, 5 output not writable (disk full, "
                + "read-only or no permission; the message names the path)."})
public final class TrainCommand implements Callable<Integer> {
    /** File name of the checkpoint in the output directory. */
    static final String CHECKPOINT = "checkpoint.klck";
    private final TrainerFactory trainers;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    DataOptions data;

    @Mixin
    DataFormatOptions formats;

    @Mixin
    OutputOptions output;

    @Option(names = "--resume", description = "Continue the run whose checkpoint is in the output directory "
            + "(same options required); bit-for-bit the same result as an uninterrupted run.")
    boolean resume;

    @Option(names = "--overwrite", description = "Start a new run in an output directory that holds the checkpoint of "
            + "an earlier run, replacing it (without this option or --resume such a directory is refused).")
    boolean overwrite;

    @Option(names = "--model-kind", paramLabel = "KIND", defaultValue = "WRN",
            description = "Network: WRN (Wide ResNet, sized by --depth, --widen, --variant), VIT (vision "
                    + "transformer, sized by the --vit-* options), MLP (sized by --hidden), CNN (sized by "
                    + "--channels and --hidden) or GNN (graph network with multi-label binary outputs, sized by the "
                    + "--gnn-* options; synthetic graphs or --ogb-dir) (default: ${DEFAULT-VALUE}).")
    ModelKind modelKind;

    @Mixin
    VitOptions vit;

    @Mixin
    GraphOptions gnn;

    @Mixin
    GraphDataOptions graphData;

    @Mixin
    LayerOptions layers;

    @Mixin
    WeightsImportOptions weights;

    @Option(names = "--depth", paramLabel = "D", description = "Wide ResNet depth 6n+4 (default: 10 synthetic, 16 "
            + "CIFAR-10).")
    Integer depth;

    @Option(names = "--widen", paramLabel = "K", description = "Widening factor (default: 1 synthetic, 4 CIFAR-10).")
    Integer widen;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "FIXUP",
            description = "FIXUP (no normalisation, as in the paper) or BATCHNORM (default: ${DEFAULT-VALUE}).")
    WideResNet.Variant variant;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: 30 synthetic, 100 CIFAR-10).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: 64 synthetic, 128 "
            + "CIFAR-10).")
    Integer batchSize;

    @Mixin
    OptimizerOptions optimizerOptions;

    @Option(names = "--schedule", paramLabel = "S", defaultValue = "COSINE",
            description = "COSINE, STEP or CONSTANT (default: ${DEFAULT-VALUE}).")
    ScheduleKind schedule;

    @Option(names = {"-F", "--marglik-frequency"}, paramLabel = "F", description = "Marginal-likelihood update "
            + "every F epochs (default: 10 synthetic, 5 CIFAR-10).")
    Integer frequency;

    @Option(names = {"-B", "--burn-in"}, paramLabel = "B", description = "No update before epoch B: updates run at "
            + "epochs e >= B with e %% F == 0 (default: 10 synthetic, 20 CIFAR-10).")
    Integer burnIn;

    @Option(names = {"-K", "--hypersteps"}, paramLabel = "K", defaultValue = "100",
            description = "Adam steps on the hyperparameters per update (default: ${DEFAULT-VALUE}).")
    int hypersteps;

    @Option(names = "--hyper-lr", paramLabel = "RATE", defaultValue = "0.1",
            description = "Adam learning rate of log prior precisions (default: ${DEFAULT-VALUE}).")
    double hyperLearningRate;

    @Option(names = "--hyper-tolerance", paramLabel = "TOL", defaultValue = "1e-5",
            description = "Stop an update's prior hyper-steps once a step changes the log marginal likelihood by at "
                    + "most TOL times its magnitude; 0 takes all K steps (default: ${DEFAULT-VALUE}).")
    double hyperTolerance;

    @Option(names = "--prior", paramLabel = "P", defaultValue = "LAYERWISE",
            description = "SCALAR or LAYERWISE prior precision (default: ${DEFAULT-VALUE}).")
    PriorStructure prior;

    @Option(names = "--prior-precision", paramLabel = "DELTA", defaultValue = "1.0",
            description = "Initial prior precision (default: ${DEFAULT-VALUE}).")
    double priorPrecision;

    @Mixin
    FlavourOptions kfacFlavour;

    @Option(names = "--curvature", paramLabel = "C", defaultValue = "MC_FISHER",
            description = "MC_FISHER (one sampled label per example), GGN (one vector per class) or "
                    + "EMPIRICAL_FISHER (default: ${DEFAULT-VALUE}).")
    CurvatureType curvature;

    @Option(names = "--aug-samples", paramLabel = "S", description = "Augmented copies per example of the "
            + "invariant model; 0 or 1 disables learned augmentation (default: 2 synthetic images, 0 CIFAR-10 and "
            + "graphs).")
    Integer augmentationSamples;

    @Option(names = "--aug-lr", paramLabel = "RATE", defaultValue = "0.2",
            description = "Adam learning rate of the log augmentation magnitudes log |eta| (default: "
                    + "${DEFAULT-VALUE}).")
    double augmentationLearningRate;

    @Option(names = "--aug-init", paramLabel = "MAGNITUDE", description = "Initial magnitude |eta| of every "
            + "learned generator, > 0: radians for rotation and shear, half image widths for shifts, the log of the "
            + "scale factor for scales (default: 0.5 on the synthetic patterns, 0.1 on the oriented gratings and "
            + "otherwise).")
    Double augmentationInitial;

    @Option(names = "--aug-hypersteps", paramLabel = "N", description = "Hyper-steps per update that also step "
            + "the augmentation (default: 6 synthetic images, 20 CIFAR-10, 10 otherwise).")
    Integer augmentationHypersteps;

    @Option(names = "--aug-batch-size", paramLabel = "N", description = "Examples per augmentation-gradient step "
            + "(default: 32 synthetic images, 16 otherwise).")
    Integer augmentationBatchSize;

    @Option(names = "--aug-generators", paramLabel = "G", split = ",",
            defaultValue = "X_SHIFT,Y_SHIFT,ROTATION,X_SCALE,Y_SCALE,SHEAR",
            description = "Affine generators whose magnitudes are learned, the others stay off (default: all six).")
    List<AffineGenerator> generators;

    @Mixin
    PredictiveOptions predictive;

    @Mixin
    SeedOptions seeds;

    /** The command training in this JVM. */
    public TrainCommand() {
        this(TrainerFactory.IN_PROCESS);
    }

    /**
     * The command training with the trainers of {@code trainers} (e.g. data-parallel on a cluster).
     *
     * @param trainers creates the trainer of the run, not null
     * @throws NullPointerException when the factory is null
     */
    public TrainCommand(TrainerFactory trainers) {
        this.trainers = java.util.Objects.requireNonNull(trainers, "trainers");
    }

    /**
     * Checks the options, then owns {@code --out} for the whole run (a second run into it fails with
     * {@link ExitCodes#LOCKED}).
     */
    @Override
    @SuppressWarnings("try") // the output directory lock is held for its effect only
    public Integer call() throws Exception {
        validate();
        try (OutputDirectoryLock lock = output.lock()) {
            prepare(output.directory());
            return train();
        }
    }

    /** The checks that need no data and no output directory, so that a bad value is reported before any work. */
    private void validate() {
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume continues the run in the output directory and --overwrite "
                    + "replaces it: give one of them");
        }
        predictive.mcSamples();
        data.validate();
        if (augmentationInitial != null && !(augmentationInitial > 0 && Double.isFinite(augmentationInitial))) {
            throw new IllegalArgumentException("--aug-init must be a finite magnitude > 0, got " + augmentationInitial);
        }
    }

    /**
     * Refuses to replace an earlier run's checkpoint unless told to, and removes the temporary files of writes that an
     * earlier process did not finish (this run holds the directory's lock, so no write of another run is under way).
     */
    private void prepare(Path out) throws IOException {
        Path checkpoint = out.resolve(CHECKPOINT);
        if (!resume && !overwrite && Files.exists(checkpoint)) {
            throw new IllegalArgumentException(out + " holds the checkpoint of an earlier run (" + CHECKPOINT
                    + "): continue it with --resume, start afresh there with --overwrite, or choose another --out");
        }
        AtomicFiles.deleteTemporaryFiles(out);
    }

    private Integer train() throws Exception {
        Threads.apply(common);
        Path out = output.directory();
        long seed = seeds.seed();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        DataSource source = modelKind == ModelKind.GNN ? null : formats.resolve(data);
        Task task = modelKind == ModelKind.GNN ? graphTask(err)
                : source.task() == LikelihoodType.REGRESSION ? regressionTask(err, source) : imageTask(err, source);
        ModelArchitecture architecture = task.architecture();
        OnlineMarglikOptions options = task.options();

        Network network = architecture.build(seed);
        weights.loadInto(architecture, network);
        status(err, String.format(Locale.ROOT, "%s, %,d parameters, %d training / %d test examples; %d epochs of "
                        + "batch %d", architecture.describe(), network.numParameters(), task.train().size(),
                task.testSize(), options.epochs(), options.batchSize()));
        burnInWarning(options).ifPresent(line -> status(err, "warning: " + line));
        // graph data sets train in this JVM: the distributed trainers take image data sets only
        OnlineMarglikTrainer trainer = task.train() instanceof ImageDataset images
                ? trainers.create(architecture, network, images, options)
                : new OnlineMarglikTrainer(network, task.train(), options);
        trainer.evaluateAfterEachEpoch(task.testEvaluation());
        ProgressListener progress = new ProgressListener(common.quiet(), err, options.epochs());
        TrainingResult result;
        try {
            result = trainer.train(out.resolve(CHECKPOINT), resume, progress);
        } finally {
            progress.close();
        }
        double trainSeconds = trainingSeconds(result);

        SavedModel model = new SavedModel(architecture, task.normalizationMean(), task.normalizationStd(),
                result.priorPrecisions(), result.eta(), result.bestState(), source,
                task.targetScale().length == 0 ? null
                        : new TargetScaling(task.targetScale()[0], task.targetScale()[1], result.sigma()));
        model.write(out.resolve("model.klm"));

        EvaluationReport.Builder report = EvaluationReport.builder("Online marginal-likelihood training: "
                + architecture.describe() + " on " + task.train().name())
                .description(description(options, result, trainSeconds))
                .trainingCurves(curves(result));
        RunDetails.commandAndSeed(report, spec, seed);
        task.evaluation().evaluate(network, model, report);
        WrittenReport written = ReportWriter.write(report.build(), out);
        stdout.printf(Locale.ROOT, "trained %s for %d epochs in %.1f s (%s)%n", architecture.describe(),
                options.epochs(), trainSeconds, Double.isNaN(result.bestLogMarglik())
                        ? "no marginal-likelihood update ran; the last epoch's weights are saved"
                        : String.format(Locale.ROOT, "best log marginal likelihood %.2f at epoch %d",
                                result.bestLogMarglik(), result.bestEpoch()));
        ReportPaths.print(stdout, written);
        stdout.println("model:  " + out.resolve("model.klm").toAbsolutePath());
        stdout.flush();
        return ExitCodes.OK;
    }

    /**
     * The evaluation of the invariant model when the network was trained with learned augmentation (S &gt; 1), else
     * {@code evaluation} itself.
     */
    private static ModelEvaluation invariantIfLearned(ModelEvaluation evaluation, double[] eta, int samples) {
        return ModelEvaluation.learnedInvariance(eta, samples) ? evaluation.asInvariantModel(eta, samples)
                : evaluation;
    }

    /** Adds the evaluation of the trained network at the learned prior to the report. */
    @FunctionalInterface
    private interface Evaluation {
        void evaluate(Network network, SavedModel model, EvaluationReport.Builder report);
    }

    /**
     * What differs between model kinds: the network, the training data with its input normalisation (none for
     * graphs), the regression target's mean and standard deviation (empty for classifiers), the options and the
     * evaluation.
     */
    private record Task(ModelArchitecture architecture, SupervisedDataset<?> train, int testSize,
                        double[] normalizationMean, double[] normalizationStd, double[] targetScale,
                        OnlineMarglikOptions options, Evaluation evaluation, EpochTestEvaluation testEvaluation) {
    }

    private Task imageTask(PrintWriter err, DataSource source) throws IOException {
        boolean cifar = source.format() == DataFormat.CIFAR;
        graphData.requireUnused(modelKind.name());
        OnlineMarglikOptions options = imageOptions(source);
        status(err, "loading " + (cifar ? "CIFAR-10 from " + data.dataDir : source.format() == DataFormat.SYNTHETIC
                ? "synthetic images (" + data.variant + ")" : source.describe()));
        DataOptions.Loaded raw = FileData.load(source).images();
        boolean tabular = raw.train().height() == 1 && raw.train().width() == 1;
        ChannelNormalization norm = FileData.inputs(raw.train());
        ImageDataset train = norm.apply(raw.train());
        ImageDataset test = norm.apply(raw.test());
        ModelArchitecture architecture = switch (modelKind) {
            case WRN -> new ModelArchitecture(or(depth, cifar ? 16 : 10), or(widen, cifar ? 4 : 1),
                    train.numClasses(), train.channels(), variant);
            case VIT -> ModelArchitecture.vit(vit.sizes(train.height()), train.numClasses(), train.channels());
            case MLP, CNN -> layers.architecture(modelKind, train);
            case GNN -> throw new IllegalStateException("graph networks do not train on images");
        };
        Evaluation evaluation = (network, model, report) -> {
            List<ShiftedDataset> shifts = tabular ? List.of()
                    : DataOptions.normalize(DataOptions.shifts(raw.test(), seeds.seed() + 7), norm);
            ImageDataset ood = raw.ood() == null ? null : norm.apply(raw.ood());
            RunDetails.imageSizes(report, train, test, shifts, ood);
            // the recipe of docs/recipes.md, as evaluate uses it: K-FAC over the last layer, MC and probit links
            ProgressListener progress = new ProgressListener(common.quiet(), err);
            ModelEvaluation lastLayer = new ModelEvaluation(network, model.prior(), options.flavour(), 32,
                    predictive.mcSamples(), seeds.seed(), line -> status(err, line))
                    .withPosterior(SubsetOfWeights.LAST_LAYER, List.of(LinkApproximation.MC, LinkApproximation.PROBIT))
                    .withListener(progress);
            try {
                invariantIfLearned(lastLayer, model.eta(), options.augmentationSamples())
                        .evaluate(train, test, shifts, ood, report);
            } finally {
                progress.close();
            }
        };
        return new Task(architecture, train, test.size(), norm.mean(), norm.std(), new double[0], options,
                evaluation, EpochTestEvaluation.classification(test, 100));
    }

    private Task regressionTask(PrintWriter err, DataSource source) throws IOException {
        graphData.requireUnused(modelKind.name());
        if (modelKind != ModelKind.MLP) {
            throw new IllegalArgumentException("regression trains an MLP on the features: use --model-kind MLP, not "
                    + modelKind);
        }
        OnlineMarglikOptions options = options(false, false, LikelihoodType.REGRESSION, 0, OptimizerKind.ADAM,
                resumeSource(source));
        status(err, "loading " + source.describe());
        FileData.Loaded raw = FileData.load(source);
        FileData.RegressionScaling scaling = FileData.RegressionScaling.fit(raw.regressionTrain());
        ChannelNormalization inputs = scaling.inputs();
        double targetMean = scaling.targetMean();
        double targetStd = scaling.targetStd();
        RegressionDataset train = scaling.apply(raw.regressionTrain());
        RegressionDataset test = scaling.apply(raw.regressionTest());
        Evaluation evaluation = (network, model, report) -> new RegressionEvaluation(network, model.prior(),
                options.flavour(), model.regression().sigma(), false, 32, line -> status(err, line))
                .evaluate(train, test, targetMean, targetStd, report);
        return new Task(layers.tabular(train.featureCount(), 1), train, test.size(), inputs.mean(), inputs.std(),
                new double[] {targetMean, targetStd}, options, evaluation, EpochTestEvaluation.NONE);
    }

    /**
     * The training options of an image task under the parsed command line: without arguments, the demo's defaults
     * (see docs/online-training.md, section The demo).
     *
     * @param source the training data's source (CIFAR-10 gets the paper's schedule, synthetic images learned
     *               augmentation)
     * @return the options the image task trains with
     */
    OnlineMarglikOptions imageOptions(DataSource source) {
        boolean cifar = source.format() == DataFormat.CIFAR;
        boolean synthetic = source.format() == DataFormat.SYNTHETIC;
        return options(cifar, synthetic, LikelihoodType.CLASSIFICATION, synthetic ? 2 : 0,
                OptimizerOptions.defaultForImages(source.format()), resumeSource(source));
    }

    /**
     * The data options a resumed run must repeat, one {@code name=value} item per option: the built-in sets' and
     * CIFAR-10's from {@link DataOptions#source()}, files' from their paths, task, target column and test split.
     */
    private String resumeSource(DataSource source) {
        if (source.format() == DataFormat.CIFAR || source.format() == DataFormat.SYNTHETIC) {
            return data.source();
        }
        return "source=" + source.format() + "; --train-file=" + String.join(",", source.trainFiles())
                + "; --test-file=" + String.join(",", source.testFiles()) + "; --task=" + source.task()
                + "; --target-column=" + source.targetColumn() + "; --test-fraction=" + source.testFraction()
                + "; --data-seed=" + source.seed();
    }

    private Task graphTask(PrintWriter err) throws IOException {
        OnlineMarglikOptions options = options(false, false, LikelihoodType.BINARY, 0, OptimizerKind.SGD,
                graphData.source(data));
        status(err, "loading " + (graphData.ogb() ? "OGB graphs from " + graphData.ogbDir : "synthetic graphs"));
        GraphDataOptions.Loaded graphs = graphData.load(data);
        GraphDataset train = graphs.train();
        ModelArchitecture architecture = ModelArchitecture.gnn(gnn.sizes(train.nodeFeatures(),
                train.edgeFeatures()), train.tasks());
        Evaluation evaluation = (network, model, report) -> new GraphModelEvaluation(network, model.prior(),
                options.flavour(), 32, line -> status(err, line)).evaluate(train, graphs.test(), report);
        return new Task(architecture, train, graphs.test().size(), new double[0], new double[0], new double[0],
                options, evaluation, EpochTestEvaluation.NONE);
    }

    /**
     * @param cifar                      whether the paper's CIFAR-10 defaults apply (else the small demo's)
     * @param synthetic                  whether the data are the built-in synthetic images, whose augmentation
     *                                   starts larger and is stepped on larger batches (docs/online-training.md,
     *                                   section The demo)
     * @param likelihood                 the training data's observation model
     * @param defaultAugmentationSamples S when {@code --aug-samples} is not given
     * @param defaultOptimizer           the optimiser when {@code --optimizer} is not given
     * @param dataSource                 where the training data come from (compared on resume)
     */
    /**
     * The starting augmentation magnitude when {@code --aug-init} is not given: 0.5 on the synthetic patterns, where
     * the rotation gradient only stands out of its mini-batch noise away from 0, and 0.1 on the oriented gratings
     * (whose classes lie 18 degrees apart: a larger start mixes them during the burn-in) and on every other source.
     */
    private double defaultAugmentationStart(boolean synthetic) {
        return synthetic && data.variant != SyntheticImages.Variant.ORIENTED_GRATINGS ? 0.5 : 0.1;
    }

    private OnlineMarglikOptions options(boolean cifar, boolean synthetic, LikelihoodType likelihood,
                                         int defaultAugmentationSamples, OptimizerKind defaultOptimizer,
                                         String dataSource) {
        int s = or(augmentationSamples, defaultAugmentationSamples);
        return optimizerOptions.applyTo(OnlineMarglikOptions.builder(), defaultOptimizer)
                .epochs(or(epochs, cifar ? 100 : 30))
                .batchSize(or(batchSize, cifar ? 128 : 64))
                .schedule(schedule)
                .marglikFrequency(or(frequency, cifar ? 5 : 10))
                .burnIn(or(burnIn, cifar ? 20 : 10))
                .hypersteps(hypersteps).hyperLearningRate(hyperLearningRate).hyperTolerance(hyperTolerance)
                .priorStructure(prior).initialPriorPrecision(priorPrecision)
                .flavour(kfacFlavour.flavour()).curvatureType(curvature)
                .augmentationSamples(s).augmentationLearningRate(augmentationLearningRate)
                .initialAugmentation(augmentationInitial != null ? augmentationInitial : defaultAugmentationStart(synthetic))
                .augmentationHypersteps(or(augmentationHypersteps, cifar ? 20 : synthetic ? 6 : 10))
                .augmentationBatchSize(or(augmentationBatchSize, synthetic ? 32 : 16))
                .augmentedGenerators(generators.isEmpty() ? java.util.EnumSet.noneOf(AffineGenerator.class)
                        : java.util.EnumSet.copyOf(generators))
                .curvatureBatchSize(cifar ? 128 : 100)
                .likelihood(likelihood)
                .seed(seeds.seed())
                .dataSource(dataSource)
                .build();
    }

    /**
     * The training time of the whole run: the epochs' training and marginal-likelihood seconds, which the checkpoint
     * keeps, so that a resumed run also counts the time of the processes before it.
     */
    static double trainingSeconds(TrainingResult result) {
        return result.history().stream().mapToDouble(s -> s.trainSeconds() + s.marglikSeconds()).sum();
    }

    /**
     * A warning when no epoch of the run ends with a marginal-likelihood update (all epochs before the burn-in, or
     * none a multiple of the frequency): the prior precisions and augmentation then stay at their initial values.
     */
    static java.util.Optional<String> burnInWarning(OnlineMarglikOptions o) {
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            if (o.marglikEpoch(epoch)) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of(String.format(Locale.ROOT, "no marginal-likelihood update runs in these %d "
                + "epochs (updates at epochs e >= %d with e %% %d == 0): no hyperparameters are learned, the prior "
                + "precision stays at %s", o.epochs(), o.burnIn(), o.marglikFrequency(),
                compact(o.initialPriorPrecision())));
    }

    /** An integral value without decimals ("5"), any other value as Java prints it. */
    static String compact(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private void status(PrintWriter err, String line) {
        if (!common.quiet()) {
            err.println(line);
            err.flush();
        }
    }

    private static String description(OnlineMarglikOptions o, TrainingResult r, double seconds) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%d epochs, batch %d, %s lr %.3g (%s); marginal likelihood every %d epochs from epoch %d with %d Adam "
                        + "hyper-steps; %s prior; K-FAC-%s %s; ", o.epochs(), o.batchSize(), o.optimizer(),
                o.learningRate(), o.schedule(), o.marglikFrequency(), o.burnIn(), o.hypersteps(), o.priorStructure(),
                o.flavour().name().toLowerCase(Locale.ROOT), o.curvatureType()));
        b.append(o.learnsAugmentation() ? "learned augmentation with S = " + o.augmentationSamples() + " samples"
                : "no learned augmentation");
        burnInWarning(o).ifPresent(w -> b.append(". Warning: ").append(w));
        b.append(Double.isNaN(r.bestLogMarglik())
                ? String.format(Locale.ROOT, ". Training took %.1f s; no marginal-likelihood update ran, so the last "
                        + "epoch's weights are saved and evaluated.", seconds)
                : String.format(Locale.ROOT, ". Training took %.1f s; the best log marginal likelihood %.2f was at "
                        + "epoch %d; that epoch's weights and hyperparameters are saved and evaluated.", seconds,
                        r.bestLogMarglik(), r.bestEpoch()));
        if (r.eta().length > 0) {
            b.append(Double.isNaN(r.bestLogMarglik()) ? " Augmentation |eta| (its start, no update ran):"
                    : " Learned augmentation |eta| of that epoch:");
            for (AffineGenerator g : AffineGenerator.values()) {
                b.append(String.format(Locale.ROOT, " %s %.3f", g.name().toLowerCase(Locale.ROOT),
                        Math.abs(r.eta()[g.ordinal()])));
            }
            b.append('.');
        }
        if (ModelEvaluation.learnedInvariance(r.eta(), o.augmentationSamples())) {
            b.append(' ').append(EvaluateCommand.invariantNote(r.eta(), o.augmentationSamples()));
        }
        return b.toString();
    }

    private static TrainingCurves curves(TrainingResult result) {
        List<EpochRecord> records = new ArrayList<>();
        for (EpochSummary s : result.history()) {
            Map<String, Double> hyper = new LinkedHashMap<>();
            double meanLog = 0;
            for (double p : s.priorPrecisions()) {
                meanLog += Math.log(p) / s.priorPrecisions().length;
            }
            hyper.put("prior precision (geometric mean)", Math.exp(meanLog));
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (!Double.isNaN(s.trainAccuracy())) {
                metrics.put("train accuracy", s.trainAccuracy());
            }
            for (AffineGenerator g : AffineGenerator.values()) {
                if (s.augmentation().length > 0) {
                    hyper.put("|eta| " + g.name().toLowerCase(Locale.ROOT), s.augmentation()[g.ordinal()]);
                }
            }
            records.add(new EpochRecord(s.epoch(), s.trainLoss(), s.logMarglik(), hyper, metrics, s.testAccuracy(),
                    s.testNll()));
        }
        return new TrainingCurves(records);
    }
}
