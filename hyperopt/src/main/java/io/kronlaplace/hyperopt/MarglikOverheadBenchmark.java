package io.kronlaplace.hyperopt;

import io.kronlaplace.bench.BenchmarkArguments;
import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The share of online-marglik training time spent in marginal-likelihood updates for WRN-16-4 (Fixup, float32), the
 * paper's CIFAR-10 setting: F = 5 training epochs, then one update (K-FAC pass over the training set, eigendecomposition,
 * K = 100 hyper-steps, and with S &gt; 1 the augmentation gradient steps).
 *
 * <p>Each configuration (flavour x augmentation samples S) trains on {@code --images} synthetic 32 x 32 images for F
 * epochs with the update at epoch F, timed by the trainer's own records and listener callbacks. The update splits into
 * a part proportional to the training-set size (the curvature pass) and a fixed part (eigendecomposition and
 * hyper-steps), so the share is reported as measured and extrapolated to CIFAR-10's 50,000 images:
 * {@code share = update / (F x epoch + update)}.
 *
 * <p>Run with {@code --help} for the options; unknown options are rejected.
 * {@code --aug-batch} is the batch of each augmentation-gradient step (default 32, the trainer's), whose backward
 * pass carries one vector per class for each of its S augmented copies; it runs in chunks of a few examples, so its
 * memory does not grow with the batch. With S = 4 the training and curvature passes at batch 128 (512 rows) need more
 * memory than a 24 GB machine has: use {@code --configs reduce:4 --batch 32 --images 256} there (the same 128 rows per
 * pass as S = 1 at batch 128).
 */
public final class MarglikOverheadBenchmark {
    /** The command-line help. */
    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: MarglikOverheadBenchmark [--name value | --name=value]... [--help]",
            "Times the marginal-likelihood updates of online-marglik training on WRN-16-4 (Fixup, float32).",
            "  --images N        synthetic 32 x 32 training images (default 512)",
            "  --batch N         training batch (default 128)",
            "  --hypersteps N    hyper-steps K per update (default 100)",
            "  --aug-batch N     batch of each augmentation-gradient step (default the trainer's, 32)",
            "  --curvature C     curvature type of the update (default the trainer's, MC_FISHER)",
            "  --configs LIST    FLAVOUR:S pairs, flavour and augmentation samples (default reduce:1,expand:1)",
            "  --help            print this help and exit");

    private static final Set<String> OPTIONS = Set.of("--images", "--batch", "--hypersteps", "--aug-batch",
            "--curvature", "--configs");
    private static final int FREQUENCY = 5;
    private static final int CIFAR_TRAIN_IMAGES = 50_000;

    private MarglikOverheadBenchmark() {
    }

    /** One flavour and augmentation-sample count. */
    private record Config(KfacFlavour flavour, int samples) {
        static Config parse(String text) {
            String[] parts = text.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("configuration '" + text + "' is not FLAVOUR:S, e.g. reduce:4");
            }
            int s = Integer.parseInt(parts[1].trim());
            if (s < 1) {
                throw new IllegalArgumentException("augmentation samples S must be >= 1, got " + s);
            }
            return new Config(KfacFlavour.valueOf(parts[0].trim().toUpperCase(Locale.ROOT)), s);
        }
    }

    /** Timings of one configuration. */
    private record Result(Config config, double epochSeconds, double curvatureSeconds, double fixedSeconds) {
        double update(double scale) {
            return curvatureSeconds * scale + fixedSeconds;
        }

        double share(double scale) {
            return update(scale) / (FREQUENCY * epochSeconds * scale + update(scale));
        }

        double overhead(double scale) {
            return update(scale) / (FREQUENCY * epochSeconds * scale);
        }
    }

    /**
     * Runs the configurations and prints their timings and shares, or the usage for {@code --help}.
     *
     * @param args the options listed by {@code --help}
     * @throws IllegalArgumentException for an unknown option or a malformed value (before anything runs)
     */
    public static void main(String[] args) {
        BenchmarkArguments options = BenchmarkArguments.parse(args, OPTIONS);
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }
        OnlineMarglikOptions defaults = OnlineMarglikOptions.defaults();
        int images = options.positiveInt("--images", 512);
        int batch = options.positiveInt("--batch", 128);
        int hypersteps = options.positiveInt("--hypersteps", 100);
        int augmentationBatch = options.positiveInt("--aug-batch", defaults.augmentationBatchSize());
        CurvatureType curvature = options.enumValue("--curvature", defaults.curvatureType(), CurvatureType.class);
        List<Config> configs = new ArrayList<>();
        for (String c : options.string("--configs", "reduce:1,expand:1").split(",")) {
            configs.add(Config.parse(c));
        }
        System.out.printf("MarglikOverheadBenchmark start %s: WRN-16-4 Fixup float32, %d synthetic images, batch %d, "
                        + "F = %d, K = %d, %s, augmentation-gradient batch %d, OMP_NUM_THREADS=%s%n", Instant.now(), images,
                batch, FREQUENCY, hypersteps, curvature, augmentationBatch, System.getenv("OMP_NUM_THREADS"));
        ImageDataset train = new SyntheticImages().generate("synthetic-train", images, 0);
        List<Result> results = new ArrayList<>();
        double scale = (double) CIFAR_TRAIN_IMAGES / images;
        for (Config c : configs) {
            Result r = run(c, train, batch, hypersteps, augmentationBatch, curvature);
            results.add(r);
            System.out.printf("  %s S=%d: %s%n", c.flavour(), c.samples(), row(r, scale));
        }
        System.out.printf("%n| flavour | S | epoch s | curvature pass s | eig + hyper-steps s | share measured "
                + "| share at 50,000 images | update / (F epochs) at 50,000 |%n|---|---|---|---|---|---|---|---|%n");
        for (Result r : results) {
            System.out.println(row(r, scale));
        }
        System.out.printf("MarglikOverheadBenchmark end %s%n", Instant.now());
    }

    private static String row(Result r, double scale) {
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f%% | %.1f%% | %.1f%% |",
                r.config().flavour(), r.config().samples(), r.epochSeconds(), r.curvatureSeconds(), r.fixedSeconds(),
                100 * r.share(1), 100 * r.share(scale), 100 * r.overhead(scale));
    }

    private static Result run(Config c, ImageDataset train, int batch, int hypersteps, int augmentationBatch,
                              CurvatureType curvature) {
        Network net = WideResNet.builder().depth(16).widen(4).classes(SyntheticImages.CLASSES)
                .variant(WideResNet.Variant.FIXUP).dataType(DataType.FLOAT).seed(0).build();
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(FREQUENCY).burnIn(FREQUENCY)
                .marglikFrequency(FREQUENCY).hypersteps(hypersteps).batchSize(batch).curvatureBatchSize(batch)
                .flavour(c.flavour()).curvatureType(curvature).augmentationSamples(c.samples() > 1 ? c.samples() : 0)
                .augmentationBatchSize(augmentationBatch).build();
        long[] marglikStart = new long[1];
        List<Long> curvatureBatchEnds = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void marglikStarted(int epoch, int curvatureBatches, int steps) {
                marglikStart[0] = System.nanoTime();
            }

            @Override
            public void curvatureBatchFinished(int epoch, int b) {
                curvatureBatchEnds.add(System.nanoTime());
            }

            @Override
            public void epochFinished(EpochSummary s) {
                System.out.printf("  %s S=%d epoch %d: train %.1f s, marglik %.1f s  (%s)%n", c.flavour(),
                        c.samples(), s.epoch(), s.trainSeconds(), s.marglikSeconds(), Instant.now());
            }
        };
        TrainingResult result = new OnlineMarglikTrainer(net, train, options).train(listener);
        double training = 0;
        double marglik = 0;
        for (EpochSummary s : result.history()) {
            training += s.trainSeconds();
            marglik += s.marglikSeconds();
        }
        // The first epoch and the first curvature batch include one-off warm-up (JIT, workspace sizing); time an epoch
        // by the later epochs and a curvature batch by the later batches.
        double epoch = (training - result.history().get(0).trainSeconds()) / (FREQUENCY - 1);
        // with learned augmentation the update runs a second curvature pass after the eta steps: time a pass by the
        // first one and count both as curvature
        int batches = (train.size() + batch - 1) / batch;
        int passes = curvatureBatchEnds.size() / batches;
        if (batches < 2) {
            throw new IllegalArgumentException("use at least two curvature batches (--images >= 2 x --batch)");
        }
        long last = curvatureBatchEnds.get(batches - 1);
        double perBatch = (last - curvatureBatchEnds.get(0)) / 1e9 / (batches - 1);
        double curvaturePass = perBatch * batches;
        double fixed = marglik - (last - marglikStart[0]) / 1e9 - (passes - 1) * curvaturePass;
        return new Result(c, epoch, curvaturePass, fixed);
    }
}
