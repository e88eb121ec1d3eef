package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.io.Npy;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.SupervisedDataset;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kronlaplace curvature}: K-FAC factors of a saved model, exported as {@code .npy} files. */
@Command(name = "curvature", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compute K-FAC-expand and/or K-FAC-reduce factors of a saved model on its training images "
                + "(or graphs) and "
                + "export them as .npy files: OUT/<flavour>/<layer>.A.npy (input factor, Din x Din) and "
                + "<layer>.B.npy (gradient factor, Dout x Dout), float64, for the summed loss (GGN ~ B (x) A).",
                "Load in Python with numpy.load."})
public final class CurvatureCommand implements Callable<Integer> {
    /** Which flavours to compute. */
    enum Flavours {
        EXPAND, REDUCE, BOTH
    }

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

    @Option(names = "--flavour", paramLabel = "F", defaultValue = "BOTH",
            description = "EXPAND, REDUCE or BOTH (default: ${DEFAULT-VALUE}).")
    Flavours flavours;

    @Option(names = "--curvature", paramLabel = "C", defaultValue = "GGN",
            description = "GGN, MC_FISHER or EMPIRICAL_FISHER (default: ${DEFAULT-VALUE}).")
    CurvatureType curvature;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images or graphs per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** Owns {@code --out} for the whole run (a second run into it fails with {@link ExitCodes#LOCKED}). */
    @Override
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
        SavedModelOptions.Loaded loaded = saved.load(data, graphData);
        Network network = loaded.model().network();
        SupervisedDataset<?> train = loaded.graphs() != null ? loaded.graphs().train()
                : loaded.normalization().apply(loaded.raw().train());
        Likelihood likelihood = loaded.model().architecture().likelihood().curvatureLikelihood();
        PrintWriter stdout = spec.commandLine().getOut();
        List<KfacFlavour> list = flavours == Flavours.BOTH ? List.of(KfacFlavour.EXPAND, KfacFlavour.REDUCE)
                : List.of(KfacFlavour.valueOf(flavours.name()));
        for (KfacFlavour flavour : list) {
            KfacEstimator estimator = new KfacEstimator(network, likelihood,
                    KfacOptions.builder().flavour(flavour).curvatureType(curvature).build());
            long start = System.nanoTime();
            int batches = (train.size() + batchSize - 1) / batchSize;
            try (Progress bar = Progress.start("K-FAC " + flavour, batches, "batch", common.quiet())) {
                for (int from = 0; from < train.size(); from += batchSize) {
                    int[] idx = new int[Math.min(batchSize, train.size() - from)];
                    for (int i = 0; i < idx.length; i++) {
                        idx[i] = from + i;
                    }
                    SupervisedDataset<?> b = train.subset(idx);
                    estimator.accumulate(b.inputs(), b.targets());
                    bar.step(1);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Path dir = output.directory().resolve(flavour.name().toLowerCase(Locale.ROOT));
            Files.createDirectories(dir);
            Map<String, KronFactors> factors = estimator.factors();
            for (Map.Entry<String, KronFactors> e : factors.entrySet()) {
                Npy.write(dir.resolve(e.getKey() + ".A.npy"), e.getValue().a());
                Npy.write(dir.resolve(e.getKey() + ".B.npy"), e.getValue().b());
            }
            stdout.printf(Locale.ROOT, "%s: %d layers, %d examples in %.2f s -> %s%n", flavour, factors.size(),
                    train.size(), seconds, dir.toAbsolutePath());
        }
        stdout.flush();
        return ExitCodes.OK;
    }
}
