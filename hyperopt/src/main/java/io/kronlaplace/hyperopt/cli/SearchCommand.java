package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.hyperopt.checkpoint.ModelKind;
import io.kronlaplace.hyperopt.search.GridRunner;
import io.kronlaplace.hyperopt.search.GridSearch;
import io.kronlaplace.hyperopt.search.SearchConfig;
import io.kronlaplace.hyperopt.search.SearchReport;
import io.kronlaplace.hyperopt.search.SearchResult;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.Dataset;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kronlaplace search}: grid search ranked by marginal likelihood and by validation NLL, over Wide ResNets on
 * images or MLPs on images, tables and regression rows (Gaussian likelihood).
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Grid search over network width, initial prior precision and marginal-likelihood frequency "
                + "F. Each point is trained with online marginal-likelihood learning; the table ranks the points by "
                + "log marginal likelihood (training data only) and by MAP NLL on a held-out validation split "
                + "(Gaussian NLL with the learned noise for regression data). Writes OUT/search.md and "
                + "OUT/search.json.")
public final class SearchCommand implements Callable<Integer> {
    /** MLP hidden width at width factor 1 when --hidden is not given. */
    private static final int DEFAULT_HIDDEN = 50;

    private final GridRunner runner;

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

    @Option(names = "--model-kind", paramLabel = "KIND", defaultValue = "WRN",
            description = "WRN (Wide ResNet on images of at least 8 x 8 pixels) or MLP (images, tables and "
                    + "regression data; required for regression) (default: ${DEFAULT-VALUE}).")
    ModelKind modelKind;

    @Option(names = "--hidden", paramLabel = "W", split = ",",
            description = "MLP hidden widths at width factor 1, comma-separated; each grid point multiplies them by "
                    + "its --widths factor (default: 50).")
    List<Integer> hidden;

    @Option(names = "--widths", paramLabel = "K", split = ",", defaultValue = "1,2",
            description = "Width factors: the Wide ResNet widening factor, or the factor on the MLP's --hidden "
                    + "widths (default: ${DEFAULT-VALUE}).")
    List<Integer> widths;

    @Option(names = "--prior-precisions", paramLabel = "DELTA", split = ",", defaultValue = "0.1,10",
            description = "Initial prior precisions (default: ${DEFAULT-VALUE}).")
    List<Double> priors;

    @Option(names = "--frequencies", paramLabel = "F", split = ",", defaultValue = "1,2",
            description = "Marginal-likelihood frequencies F in epochs (default: ${DEFAULT-VALUE}).")
    List<Integer> frequencies;

    @Option(names = "--depth", paramLabel = "D", defaultValue = "10",
            description = "Wide ResNet depth (default: ${DEFAULT-VALUE}); WRN only.")
    int depth;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "FIXUP",
            description = "Wide ResNet variant, FIXUP or BATCHNORM (default: ${DEFAULT-VALUE}); WRN only.")
    WideResNet.Variant variant;

    @Mixin
    OptimizerOptions optimizerOptions;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4",
            description = "Epochs per grid point (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"-K", "--hypersteps"}, paramLabel = "K", defaultValue = "50",
            description = "Hyper-steps per update (default: ${DEFAULT-VALUE}).")
    int hypersteps;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    FlavourOptions kfacFlavour;

    @Option(names = "--validation-fraction", paramLabel = "FRACTION", defaultValue = "0.2",
            description = "Share of the training examples held out for validation (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Mixin
    SeedOptions seeds;

    /** The command running its grid points in this JVM, one after the other. */
    public SearchCommand() {
        this(GridRunner.SEQUENTIAL);
    }

    /**
     * The command running its grid points with {@code runner} (e.g. on a cluster).
     *
     * @param runner trains and scores the grid points, not null
     * @throws NullPointerException when the runner is null
     */
    public SearchCommand(GridRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** Owns {@code --out} for the whole run (a second run into it fails with {@link ExitCodes#LOCKED}). */
    @Override
    @SuppressWarnings("try") // the output directory lock is held for its effect only
    public Integer call() throws Exception {
        try (OutputDirectoryLock lock = output.lock()) {
            return search();
        }
    }

    private Integer search() throws Exception {
        Threads.apply(common);
        Path out = output.directory();
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("--validation-fraction must be in (0, 1), got " + validationFraction);
        }
        if (modelKind != ModelKind.WRN && modelKind != ModelKind.MLP) {
            throw new IllegalArgumentException("search trains WRN or MLP models, not " + modelKind);
        }
        if (modelKind == ModelKind.WRN && hidden != null) {
            throw new IllegalArgumentException("--hidden sizes MLPs: use it with --model-kind MLP");
        }
        for (String wrnOnly : List.of("--depth", "--variant")) {
            if (modelKind == ModelKind.MLP && spec.commandLine().getParseResult().hasMatchedOption(wrnOnly)) {
                throw new IllegalArgumentException(wrnOnly + " shapes Wide ResNets: an MLP's layers are --hidden");
            }
        }
        List<SearchConfig> grid = GridSearch.grid(widths, priors, frequencies);
        DataSource source = formats.resolve(data);
        boolean regression = source.task() == LikelihoodType.REGRESSION;
        if (regression && modelKind != ModelKind.MLP) {
            throw new IllegalArgumentException("regression data (" + source.describe() + ") is searched with MLPs: "
                    + "use --model-kind MLP");
        }
        // Wide ResNets take train's default for the data; MLP grid points train with Adam on any data
        OptimizerKind defaultOptimizer = modelKind == ModelKind.WRN
                ? OptimizerOptions.defaultForImages(source.format()) : OptimizerKind.ADAM;
        OnlineMarglikOptions.Builder options = optimizerOptions.applyTo(OnlineMarglikOptions.builder(),
                        defaultOptimizer).epochs(epochs).batchSize(batchSize)
                .burnIn(1).hypersteps(hypersteps).flavour(kfacFlavour.flavour())
                .seed(seeds.seed()).curvatureBatchSize(100);
        if (modelKind == ModelKind.MLP) {
            options.likelihood(regression ? LikelihoodType.REGRESSION : LikelihoodType.CLASSIFICATION);
        }
        OnlineMarglikOptions base = options.build();
        spec.commandLine().getOut().printf(java.util.Locale.ROOT,
                "each grid point trains %d epochs of %s at learning rate %s on batches of %d%n", base.epochs(),
                base.optimizer(), base.learningRate(), base.batchSize());
        FileData.Loaded loaded = FileData.load(source);
        SupervisedDataset<?> train;
        SupervisedDataset<?> val;
        double targetStd = 1;
        if (regression) {
            RegressionDataset all = loaded.regressionTrain();
            int validation = validationSize(all.size());
            RegressionDataset rawTrain = range(all, 0, all.size() - validation);
            FileData.RegressionScaling scaling = FileData.RegressionScaling.fit(rawTrain);
            targetStd = scaling.targetStd();
            train = scaling.apply(rawTrain);
            val = scaling.apply(range(all, all.size() - validation, all.size()));
        } else {
            ImageDataset all = loaded.images().train();
            int validation = validationSize(all.size());
            ImageDataset rawTrain = range(all, 0, all.size() - validation);
            ChannelNormalization norm = FileData.inputs(rawTrain);
            train = norm.apply(rawTrain);
            val = norm.apply(range(all, all.size() - validation, all.size()));
        }
        PrintWriter err = spec.commandLine().getErr();
        List<SearchResult> results;
        try (Progress bar = Progress.start("search", grid.size(), "config", common.quiet(),
                spec.commandLine().getErr())) {
            Consumer<String> status = line -> {
                bar.step(1);
                if (!common.quiet() && !bar.visible()) {
                    err.println(line);
                    err.flush();
                }
            };
            GridSearch search = modelKind == ModelKind.MLP
                    ? GridSearch.mlp(hidden != null ? hidden : List.of(DEFAULT_HIDDEN), targetStd, base, status)
                    : new GridSearch(depth, variant, base, status);
            // a network the data cannot feed is refused before the first point trains
            search.architecture(grid.get(0), train);
            results = runner.run(search, grid, train, val);
        }
        SearchReport.write(results, out, spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /** The validation rows held out of {@code size} training examples, at least one and leaving at least one. */
    private int validationSize(int size) {
        int validation = (int) Math.round(size * validationFraction);
        if (validation < 1 || validation >= size) {
            throw new IllegalArgumentException("validation split of " + validation + " of " + size
                    + " examples leaves no training or no validation data");
        }
        return validation;
    }

    private static <D extends Dataset<D>> D range(D d, int from, int to) {
        return d.subset(IntStream.range(from, to).toArray());
    }
}
