package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.hyperopt.search.GridRunner;
import io.kronlaplace.hyperopt.search.GridSearch;
import io.kronlaplace.hyperopt.search.SearchConfig;
import io.kronlaplace.hyperopt.search.SearchReport;
import io.kronlaplace.hyperopt.search.SearchResult;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kronlaplace search}: grid search ranked by marginal likelihood and by validation NLL. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Grid search over Wide ResNet width, initial prior precision and marginal-likelihood frequency "
                + "F. Each point is trained with online marginal-likelihood learning; the table ranks the points by "
                + "log marginal likelihood (training data only) and by MAP NLL on a held-out validation split. "
                + "Writes OUT/search.md and OUT/search.json.")
public final class SearchCommand implements Callable<Integer> {
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

    @Option(names = "--widths", paramLabel = "K", split = ",", defaultValue = "1,2",
            description = "Widening factors (default: ${DEFAULT-VALUE}).")
    List<Integer> widths;

    @Option(names = "--prior-precisions", paramLabel = "DELTA", split = ",", defaultValue = "0.1,10",
            description = "Initial prior precisions (default: ${DEFAULT-VALUE}).")
    List<Double> priors;

    @Option(names = "--frequencies", paramLabel = "F", split = ",", defaultValue = "1,2",
            description = "Marginal-likelihood frequencies F in epochs (default: ${DEFAULT-VALUE}).")
    List<Integer> frequencies;

    @Option(names = "--depth", paramLabel = "D", defaultValue = "10",
            description = "Wide ResNet depth (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "FIXUP",
            description = "FIXUP or BATCHNORM (default: ${DEFAULT-VALUE}).")
    WideResNet.Variant variant;

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
            description = "Share of the training images held out for validation (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Mixin
    SeedOptions seeds;

    /** The command running its grid points in this JVM, one after the other. */
    public SearchCommand() {
        this(GridRunner.SEQUENTIAL);
    }

    /** The command running its grid points with {@code runner} (e.g. on a cluster). */
    public SearchCommand(GridRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** Owns {@code --out} for the whole run (a second run into it fails with {@link ExitCodes#LOCKED}). */
    @Override
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
        List<SearchConfig> grid = GridSearch.grid(widths, priors, frequencies);
        OnlineMarglikOptions base = OnlineMarglikOptions.builder().epochs(epochs).batchSize(batchSize)
                .burnIn(1).hypersteps(hypersteps).flavour(kfacFlavour.flavour())
                .seed(seeds.seed()).curvatureBatchSize(100).build();
        DataSource source = formats.resolve(data);
        if (source.task() == LikelihoodType.REGRESSION) {
            throw new IllegalArgumentException("search ranks Wide ResNet classifiers; train a regression model on "
                    + source.describe() + " with 'train --model-kind MLP'");
        }
        ImageDataset all = FileData.load(source).images().train();
        if (all.height() < 8 || all.width() < 8) {
            throw new IllegalArgumentException("search trains Wide ResNets on images of at least 8 x 8 pixels, "
                    + source.describe() + " holds " + all.height() + " x " + all.width() + " inputs");
        }
        int validation = (int) Math.round(all.size() * validationFraction);
        if (validation < 1 || validation >= all.size()) {
            throw new IllegalArgumentException("validation split of " + validation + " of " + all.size()
                    + " images leaves no training or no validation data");
        }
        ImageDataset rawTrain = range(all, 0, all.size() - validation);
        ChannelNormalization norm = ChannelNormalization.fit(rawTrain);
        ImageDataset train = norm.apply(rawTrain);
        ImageDataset val = norm.apply(range(all, all.size() - validation, all.size()));
        PrintWriter err = spec.commandLine().getErr();
        List<SearchResult> results;
        try (Progress bar = Progress.start("search", grid.size(), "config", common.quiet(),
                spec.commandLine().getErr())) {
            results = runner.run(new GridSearch(depth, variant, base, line -> {
                bar.step(1);
                if (!common.quiet() && !bar.visible()) {
                    err.println(line);
                    err.flush();
                }
            }), grid, train, val);
        }
        SearchReport.write(results, out, spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    private static ImageDataset range(ImageDataset d, int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return d.subset(idx);
    }
}
