package io.kronlaplace.hyperopt.experiments;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.nn.TokenPool;
import io.kronlaplace.nn.models.VisionTransformer;
import io.kronlaplace.optim.Adam;
import io.kronlaplace.optim.CosineSchedule;
import io.kronlaplace.optim.KfacOptimizer;
import io.kronlaplace.optim.LearningRateSchedule;
import io.kronlaplace.optim.Sgd;
import io.kronlaplace.optim.WarmupSchedule;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SeededShuffle;
import io.kronlaplace.validation.data.SyntheticImages;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The optimiser comparison of the K-FAC-expand/reduce paper, scaled to a small machine: a small vision transformer on
 * the built-in synthetic images, trained with {@link KfacOptimizer} (expand and reduce) and with a first-order
 * reference (Adam, or SGD with Nesterov momentum) whose learning rate is tuned over a grid, all with the same linear
 * warm-up and cosine schedule over {@code --max-steps}. Every run stops when the validation accuracy reaches
 * {@code --target}, after {@code --max-steps} steps, or after {@code --max-seconds} of training; the table gives, per
 * method, the steps and training seconds to the target of its best learning rate and their ratio to the reference.
 * See docs/transformers.md, section The optimiser experiment.
 *
 * <p>Usage: {@code java -cp <hyperopt jar> io.kronlaplace.hyperopt.experiments.OptimizerRace [options]}
 * ({@code --help} lists them).
 */
@Command(name = "optimizer-race", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Steps and seconds to a validation-accuracy target: K-FAC-expand and -reduce vs a tuned "
                + "first-order reference, on a small ViT and the synthetic images.")
public final class OptimizerRace implements Callable<Integer> {
    /** The optimisers that can be raced. */
    public enum Method {
        /** Adam (betas 0.9, 0.999), the reference. */
        ADAM,
        /** SGD with Nesterov momentum 0.9, the alternative reference. */
        NESTEROV,
        /** K-FAC with K-FAC-expand factors. */
        KFAC_EXPAND,
        /** K-FAC with K-FAC-reduce factors. */
        KFAC_REDUCE;

        boolean isKfac() {
            return this == KFAC_EXPAND || this == KFAC_REDUCE;
        }
    }

    @Option(names = "--methods", split = ",", defaultValue = "ADAM,KFAC_EXPAND,KFAC_REDUCE",
            description = "Methods to race (ADAM, NESTEROV, KFAC_EXPAND, KFAC_REDUCE; default: ${DEFAULT-VALUE}). "
                    + "The first first-order method is the reference of the ratios.")
    List<Method> methods;

    @Option(names = "--reference-lrs", split = ",", defaultValue = "0.001,0.003,0.01",
            description = "Learning-rate grid of the first-order methods (default: ${DEFAULT-VALUE}).")
    List<Double> referenceRates;

    @Option(names = "--kfac-lrs", split = ",", defaultValue = "0.1,0.3",
            description = "Learning-rate grid of K-FAC (default: ${DEFAULT-VALUE}).")
    List<Double> kfacRates;

    @Option(names = "--damping", defaultValue = "1", description = "K-FAC damping (default: ${DEFAULT-VALUE}).")
    double damping;

    @Option(names = "--factor-interval", defaultValue = "1",
            description = "Steps between K-FAC factor updates (default: ${DEFAULT-VALUE}).")
    int factorInterval;

    @Option(names = "--inverse-interval", defaultValue = "10",
            description = "Steps between K-FAC eigendecompositions (default: ${DEFAULT-VALUE}).")
    int inverseInterval;

    @Option(names = "--factor-decay", defaultValue = "0.95",
            description = "Weight of the old factors in their running average (default: ${DEFAULT-VALUE}).")
    double factorDecay;

    @Option(names = "--curvature", defaultValue = "MC_FISHER",
            description = "K-FAC curvature: MC_FISHER, GGN or EMPIRICAL_FISHER (default: ${DEFAULT-VALUE}).")
    CurvatureType curvature;

    @Option(names = "--momentum", defaultValue = "0.9",
            description = "Momentum of K-FAC and Nesterov SGD (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--warmup", defaultValue = "50", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--target", defaultValue = "0.8",
            description = "Validation accuracy to reach (default: ${DEFAULT-VALUE}).")
    double target;

    @Option(names = "--max-steps", defaultValue = "600",
            description = "Steps per run at most; the cosine schedule ends there (default: ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--max-seconds", defaultValue = "150",
            description = "Training seconds per run at most (default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--eval-every", defaultValue = "20",
            description = "Steps between validation evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--train-size", defaultValue = "2000", description = "Training images (default: ${DEFAULT-VALUE}).")
    int trainSize;

    @Option(names = "--val-size", defaultValue = "500", description = "Validation images (default: ${DEFAULT-VALUE}).")
    int valSize;

    @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--width", defaultValue = "32", description = "ViT width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--depth", defaultValue = "2", description = "ViT blocks (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--heads", defaultValue = "2", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--patch", defaultValue = "8", description = "Patch size on the 32 x 32 images "
            + "(default: ${DEFAULT-VALUE}).")
    int patch;

    @Option(names = "--mlp-ratio", defaultValue = "2", description = "MLP hidden width / width "
            + "(default: ${DEFAULT-VALUE}).")
    int mlpRatio;

    @Option(names = "--pooling", defaultValue = "CLASS_TOKEN",
            description = "CLASS_TOKEN or MEAN (default: ${DEFAULT-VALUE}).")
    TokenPool.Kind pooling;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of data, initialisation and batch order, the same for every run (default: "
                    + "${DEFAULT-VALUE}).")
    long seed;

    private final PrintStream out = System.out;

    /**
     * Runs the comparison with command-line options and exits with the command's status.
     *
     * @param args the options ({@code --help} lists them)
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new OptimizerRace()).execute(args));
    }

    @Override
    public Integer call() {
        SyntheticImages images = new SyntheticImages();
        ImageDataset rawTrain = images.generate("train", trainSize, seed);
        ImageDataset rawVal = images.generate("validation", valSize, seed + 1);
        ChannelNormalization norm = ChannelNormalization.fit(rawTrain);
        ImageDataset train = norm.apply(rawTrain);
        ImageDataset val = norm.apply(rawVal);
        out.printf(Locale.ROOT, "%s, %d parameters; %d train / %d validation images, batch %d, target %.3f, "
                        + "warm-up %d + cosine over %d steps, at most %.0f s per run%n", architecture().description(),
                architecture().build().numParameters(), trainSize, valSize, batchSize, target, warmup, maxSteps,
                maxSeconds);
        List<RaceResult> results = new ArrayList<>();
        for (Method method : methods) {
            for (double rate : method.isKfac() ? kfacRates : referenceRates) {
                RaceResult r = run(method, rate, train, val);
                out.printf(Locale.ROOT, "run %s lr=%g: %s, best accuracy %.3f after %d steps / %.1f s%n", method,
                        rate, r.reached() ? String.format(Locale.ROOT, "target at step %d, %.1f s", r.stepsToTarget(),
                                r.secondsToTarget()) : r.diverged() ? "diverged" : "target not reached",
                        r.bestAccuracy(), r.steps(),
                        r.seconds());
                results.add(r);
            }
        }
        out.println();
        out.print(table(results));
        return 0;
    }

    private VisionTransformer architecture() {
        return VisionTransformer.builder().imageSize(SyntheticImages.SIZE).inputChannels(SyntheticImages.CHANNELS)
                .patchSize(patch).width(width).depth(depth).heads(heads).mlpRatio(mlpRatio)
                .classes(SyntheticImages.CLASSES).pooling(pooling).seed(seed).architecture();
    }

    /** One run from the same initialisation and batch order as every other run. */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    private RaceResult run(Method method, double rate, ImageDataset train, ImageDataset val) {
        Network net = architecture().build();
        CrossEntropy loss = new CrossEntropy();
        LearningRateSchedule schedule = new WarmupSchedule(warmup, new CosineSchedule(rate,
                Math.max(1, maxSteps - warmup)));
        Adam adam = method == Method.ADAM ? Adam.builder().schedule(schedule).build() : null;
        Sgd sgd = method == Method.NESTEROV ? Sgd.builder().schedule(schedule).momentum(momentum).nesterov(true)
                .build() : null;
        KfacOptimizer kfac = method.isKfac() ? KfacOptimizer.builder(net, loss).schedule(schedule)
                .momentum(momentum).damping(damping).factorDecay(factorDecay).factorUpdateInterval(factorInterval)
                .inverseUpdateInterval(inverseInterval).kfacOptions(KfacOptions.builder()
                        .flavour(method == Method.KFAC_EXPAND ? KfacFlavour.EXPAND : KfacFlavour.REDUCE)
                        .curvatureType(curvature).seed(seed).build()).build() : null;
        SplittableRandom order = new SplittableRandom(seed + 2);
        int[] indices = new int[train.size()];
        int cursor = indices.length;
        long stepsToTarget = -1;
        double secondsToTarget = Double.NaN;
        double best = 0;
        double seconds = 0;
        long step = 0;
        boolean diverged = false;
        while (step < maxSteps && seconds < maxSeconds && stepsToTarget < 0) {
            if (cursor + batchSize > indices.length) {
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = i;
                }
                SeededShuffle.shuffle(indices, order);
                cursor = 0;
            }
            int[] batchIndices = Arrays.copyOfRange(indices, cursor, cursor + batchSize);
            cursor += batchSize;
            ImageDataset batch = train.subset(batchIndices);
            INDArray x = batch.inputs();
            INDArray y = batch.targets();
            long t0 = System.nanoTime();
            net.zeroGrad();
            try (StepWorkspace ignored = StepWorkspace.open("race")) {
                INDArray logits = net.forward(x, Mode.TRAIN);
                diverged = !Tensors.allFinite(logits);
                if (!diverged) {
                    net.backward(loss.gradient(logits, y, Reduction.MEAN), BackwardContext.training());
                }
            }
            if (diverged) {
                break;
            }
            if (kfac != null) {
                try {
                    kfac.step(x, y);
                } catch (IllegalArgumentException e) {
                    // overflowing activations reach the factors first: a diverged run, any other error is a bug
                    if (!String.valueOf(e.getMessage()).contains("NaN or infinite")) {
                        throw e;
                    }
                    diverged = true;
                    break;
                }
            } else if (adam != null) {
                adam.step(net);
            } else {
                sgd.step(net);
            }
            seconds += (System.nanoTime() - t0) / 1e9;
            step++;
            if (step % evalEvery == 0 || step == maxSteps) {
                double accuracy = accuracy(net, val);
                best = Math.max(best, accuracy);
                if (accuracy >= target) {
                    stepsToTarget = step;
                    secondsToTarget = seconds;
                }
            }
        }
        return new RaceResult(method, rate, stepsToTarget, secondsToTarget, best, step, seconds, diverged);
    }

    @SuppressWarnings("try") // the workspace scope is held for its effect only
    private static double accuracy(Network net, ImageDataset data) {
        int correct = 0;
        int chunk = 250;
        for (int start = 0; start < data.size(); start += chunk) {
            int end = Math.min(data.size(), start + chunk);
            try (StepWorkspace ignored = StepWorkspace.open("race-eval")) {
                INDArray logits = net.forward(data.inputs().get(NDArrayIndex.interval(start, end)), Mode.EVAL);
                INDArray predicted = logits.argMax(1);
                for (int i = start; i < end; i++) {
                    if (predicted.getLong(i - start) == data.label(i)) {
                        correct++;
                    }
                }
            }
        }
        return correct / (double) data.size();
    }

    /**
     * The Markdown table of the best run per method (fewest steps to the target, then the best accuracy) and its
     * steps and seconds relative to the reference's best run.
     */
    static String table(List<RaceResult> results) {
        List<Method> raced = results.stream().map(RaceResult::method).distinct().toList();
        List<RaceResult> bests = raced.stream().map(m -> best(results, m).orElseThrow()).toList();
        Optional<RaceResult> reference = bests.stream().filter(r -> !r.method().isKfac()).findFirst();
        StringBuilder b = new StringBuilder("| method | best lr | steps to target | seconds to target | "
                + "best val. accuracy | steps / reference | seconds / reference |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (RaceResult r : bests) {
            b.append(String.format(Locale.ROOT, "| %s | %g | %s | %s | %.3f | %s | %s |%n", r.method(),
                    r.learningRate(), r.reached() ? Long.toString(r.stepsToTarget()) : "not reached",
                    r.reached() ? String.format(Locale.ROOT, "%.1f", r.secondsToTarget()) : "-", r.bestAccuracy(),
                    ratio(r, reference, true), ratio(r, reference, false)));
        }
        return b.toString();
    }

    private static Optional<RaceResult> best(List<RaceResult> results, Method method) {
        return results.stream().filter(r -> r.method().equals(method))
                .min(Comparator.comparingLong((RaceResult r) -> r.reached() ? r.stepsToTarget() : Long.MAX_VALUE)
                        .thenComparing(RaceResult::bestAccuracy, Comparator.reverseOrder()));
    }

    private static String ratio(RaceResult r, Optional<RaceResult> reference, boolean steps) {
        if (reference.isEmpty() || !r.reached() || !reference.get().reached()) {
            return "-";
        }
        RaceResult ref = reference.get();
        double value = steps ? r.stepsToTarget() / (double) ref.stepsToTarget()
                : r.secondsToTarget() / ref.secondsToTarget();
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
