package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactorFiles;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kronlaplace curvature}: K-FAC factors of a saved model, exported as {@code .npy} files. */
@Command(name = "curvature", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compute K-FAC-expand and/or K-FAC-reduce factors of a saved model on its training images "
                + "(or graphs) and "
                + "export them as .npy files: OUT/<flavour>/layer<k>.A.npy (input factor, Din x Din) and "
                + "layer<k>.B.npy (gradient factor, Dout x Dout), float64, for the summed loss (GGN ~ B (x) A), "
                + "with the index OUT/<flavour>/kfac-index.tsv: one line per layer k with its path, flavour, Din, "
                + "Dout and bias block (B: the layer's bias has the block B (x) [1]; -: no bias).",
                "Load in Python with numpy.load; in Java with KronFactorFiles.readFactors."})
public final class CurvatureCommand implements Callable<Integer> {
    /** Which flavours to compute. */
    enum Flavours {
        EXPAND, REDUCE, BOTH
    }

    private final CurvatureRunner runner;

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

    @Option(names = "--flavour", paramLabel = "F", defaultValue = "BOTH",
            description = "EXPAND, REDUCE or BOTH (default: ${DEFAULT-VALUE}).")
    Flavours flavours;

    @Option(names = "--curvature", paramLabel = "C", defaultValue = "GGN",
            description = "GGN, MC_FISHER or EMPIRICAL_FISHER (default: ${DEFAULT-VALUE}).")
    CurvatureType curvature;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images or graphs per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** The command computing the factors in this JVM. */
    public CurvatureCommand() {
        this.runner = (architecture, network, options, train, rows) -> inProcess(
                architecture.likelihood().curvatureLikelihood(), network, options, train, rows);
    }

    /**
     * The command computing the factors with {@code runner} (e.g. on a cluster).
     *
     * @param runner computes the factors of the pass, not null
     * @throws NullPointerException when the runner is null
     */
    public CurvatureCommand(CurvatureRunner runner) {
        this.runner = java.util.Objects.requireNonNull(runner, "runner");
    }

    /** Owns {@code --out} for the whole run (a second run into it fails with {@link ExitCodes#LOCKED}). */
    @Override
    @SuppressWarnings("try") // the output directory lock is held for its effect only
    public Integer call() throws Exception {
        try (OutputDirectoryLock lock = output.lock()) {
            return export();
        }
    }

    private Integer export() throws Exception {
        Threads.apply(common);
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        PrintWriter err = spec.commandLine().getErr();
        SavedModelOptions.Loaded loaded = saved.load(data, formats, graphData, line -> {
            err.println(line);
            err.flush();
        });
        if (loaded.model().regression() != null) {
            throw new IllegalArgumentException("curvature export covers classifiers and graph networks; "
                    + saved.file() + " is a regression model");
        }
        Network network = loaded.model().network();
        SupervisedDataset<?> train = loaded.graphs() != null ? loaded.graphs().train()
                : loaded.normalization().apply(loaded.raw().train());
        Likelihood likelihood = loaded.model().architecture().likelihood().curvatureLikelihood();
        PrintWriter stdout = spec.commandLine().getOut();
        List<KfacFlavour> list = flavours == Flavours.BOTH ? List.of(KfacFlavour.EXPAND, KfacFlavour.REDUCE)
                : List.of(KfacFlavour.valueOf(flavours.name()));
        for (KfacFlavour flavour : list) {
            KfacOptions kfac = KfacOptions.builder().flavour(flavour).curvatureType(curvature).build();
            long start = System.nanoTime();
            // graph models have no distributed pass: their factors are always computed in this JVM
            Map<String, KronFactors> factors = loaded.graphs() != null
                    ? inProcess(likelihood, network, kfac, train, batchSize)
                    : runner.factors(loaded.model().architecture(), network, kfac, (ImageDataset) train, batchSize);
            double seconds = (System.nanoTime() - start) / 1e9;
            Path dir = output.directory().resolve(flavour.name().toLowerCase(Locale.ROOT));
            KronFactorFiles.writeFactors(dir, factors, KronFactorFiles.layersWithBias(network));
            KronFactors.closeAll(factors.values());
            stdout.printf(Locale.ROOT, "%s: %d layers, %d examples in %.2f s -> %s%n", flavour, factors.size(),
                    train.size(), seconds, dir.toAbsolutePath());
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** One pass over the training examples in this JVM, with a progress bar. */
    private Map<String, KronFactors> inProcess(Likelihood likelihood, Network network, KfacOptions options,
                                               SupervisedDataset<?> train, int rows) {
        KfacEstimator estimator = new KfacEstimator(network, likelihood, options);
        int batches = (train.size() + rows - 1) / rows;
        try (Progress bar = Progress.start("K-FAC " + options.flavour(), batches, "batch", common.quiet(),
                spec.commandLine().getErr())) {
            for (int from = 0; from < train.size(); from += rows) {
                int[] idx = new int[Math.min(rows, train.size() - from)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                SupervisedDataset<?> b = train.subset(idx);
                estimator.accumulate(b.inputs(), b.targets());
                bar.step(1);
            }
        }
        return estimator.factors();
    }

    /**
     * One batch of the exported pass: the images {@code [from, from + rows)} of {@code train} (fewer at the end) with
     * their labels.
     *
     * @param train the training images and labels
     * @param from  first image, 0 &lt;= from &lt; {@code train.size()}
     * @param rows  images per batch, &gt;= 1
     * @return the batch's images {@code [n, C, H, W]} and their n class indices as int64
     * @throws IndexOutOfBoundsException when {@code from} is negative
     */
    public static Batch batch(ImageDataset train, int from, int rows) {
        int[] idx = new int[Math.min(rows, train.size() - from)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        ImageDataset b = train.subset(idx);
        long[] y = new long[b.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = b.label(i);
        }
        return new Batch(b.images(), Nd4j.createFromArray(y));
    }
}
