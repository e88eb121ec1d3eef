package io.kronlaplace.hyperopt.graph;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.PeakResidentMemory;
import io.kronlaplace.hyperopt.graph.GraphTrainingRun.Method;
import io.kronlaplace.hyperopt.graph.GraphTrainingRun.Result;
import io.kronlaplace.hyperopt.graph.GraphTrainingRun.Settings;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.tuning.GridSearch;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.likelihood.BinaryCrossEntropy;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.Aggregation;
import io.kronlaplace.nn.graph.GraphNetwork;
import io.kronlaplace.nn.graph.Readout;
import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.data.Split;
import io.kronlaplace.validation.data.SyntheticGraphs;
import io.kronlaplace.validation.metrics.AveragePrecision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The optimiser experiment for graph networks, scaled to a small CPU machine: a graph network (float32) is trained on
 * synthetic graphs whose three binary labels follow from their structure ({@link SyntheticGraphs}) with K-FAC-expand,
 * K-FAC-reduce and Adam, all with the same linear warm-up and cosine schedule, over a learning-rate grid per method
 * (crossed with a damping grid for K-FAC; see docs/graph-networks.md, section Damping); for each run it reports the
 * optimiser steps and training seconds until the validation average precision first reaches the target. It then fits
 * KRON Laplace posteriors (last layer and all weights, BINARY likelihood) to the model of the run that reached the
 * target in the fewest steps and tunes their prior precision by the marginal likelihood, and times one K-FAC factor
 * pass (forward, backward and factors) of each flavour at two batch sizes with the peak resident memory of each.
 * Prints markdown tables.
 *
 * <p>Usage: {@code java -cp ... io.kronlaplace.hyperopt.graph.GraphOptimizerExperiment [options]}; {@code --help}
 * lists the options and their defaults.
 */
@Command(name = "graph-optimizer-experiment", mixinStandardHelpOptions = true,
        description = "K-FAC-expand, K-FAC-reduce and Adam on a graph network: steps and seconds to a validation AP.")
public final class GraphOptimizerExperiment implements Callable<Integer> {
    @Option(names = "--train", description = "training graphs (default ${DEFAULT-VALUE})")
    int trainGraphs = 2048;
    @Option(names = "--validation", description = "validation graphs (default ${DEFAULT-VALUE})")
    int validationGraphs = 512;
    @Option(names = "--min-nodes", description = "smallest graph (default ${DEFAULT-VALUE})")
    int minNodes = 5;
    @Option(names = "--max-nodes", description = "largest graph (default ${DEFAULT-VALUE})")
    int maxNodes = 14;
    @Option(names = "--edge-probability", description = "probability of each bond (default ${DEFAULT-VALUE})")
    double edgeProbability = 0.2;
    @Option(names = "--width", description = "MLP width (default ${DEFAULT-VALUE})")
    int width = 32;
    @Option(names = "--blocks", description = "graph-network blocks (default ${DEFAULT-VALUE})")
    int blocks = 3;
    @Option(names = "--aggregation", description = "SUM or MEAN (default ${DEFAULT-VALUE})")
    Aggregation aggregation = Aggregation.SUM;
    @Option(names = "--activation", description = "RELU or TANH (default ${DEFAULT-VALUE})")
    Activation activation = Activation.TANH;
    @Option(names = "--methods", split = ",", description = "methods to run (default ${DEFAULT-VALUE})")
    Method[] methods = Method.values();
    @Option(names = "--batch", description = "graphs per batch (default ${DEFAULT-VALUE})")
    int batch = 64;
    @Option(names = "--max-steps", description = "step budget per run (default ${DEFAULT-VALUE})")
    int maxSteps = 600;
    @Option(names = "--max-seconds", description = "training-time budget per run, s (default ${DEFAULT-VALUE})")
    double maxSeconds = 120;
    @Option(names = "--eval-every", description = "steps between validation evaluations (default ${DEFAULT-VALUE})")
    int evalEvery = 10;
    @Option(names = "--target", description = "validation average precision to reach (default ${DEFAULT-VALUE})")
    double target = 0.9;
    @Option(names = "--warmup", description = "linear warm-up steps of every schedule (default ${DEFAULT-VALUE})")
    int warmup = 20;
    @Option(names = "--kfac-lrs", split = ",", description = "K-FAC learning-rate grid (default ${DEFAULT-VALUE})")
    double[] kfacRates = {0.1, 0.3};
    @Option(names = "--adam-lrs", split = ",", description = "Adam learning-rate grid (default ${DEFAULT-VALUE})")
    double[] adamRates = {1e-3, 3e-3, 1e-2};
    @Option(names = "--dampings", split = ",", description = "K-FAC damping grid, crossed with the learning rates "
            + "(default ${DEFAULT-VALUE})")
    double[] dampings = {1.0};
    @Option(names = "--momentum", description = "K-FAC momentum (default ${DEFAULT-VALUE})")
    double momentum = 0.9;
    @Option(names = "--curvature", description = "K-FAC curvature: GGN, MC_FISHER or EMPIRICAL_FISHER (default "
            + "${DEFAULT-VALUE})")
    CurvatureType curvature = CurvatureType.GGN;
    @Option(names = "--factor-interval", description = "steps between K-FAC factor updates (default "
            + "${DEFAULT-VALUE})")
    int factorInterval = 1;
    @Option(names = "--inverse-interval", description = "steps between K-FAC inverse updates (default "
            + "${DEFAULT-VALUE})")
    int inverseInterval = 10;
    @Option(names = "--factor-decay", description = "running-average decay of the factors (default "
            + "${DEFAULT-VALUE})")
    double factorDecay = 0.95;
    @Option(names = "--timing-batches", split = ",", description = "batch sizes of the factor timing (default "
            + "${DEFAULT-VALUE})")
    int[] timingBatches = {64, 256};
    @Option(names = "--timing-runs", description = "timed repeats per flavour and batch (default ${DEFAULT-VALUE})")
    int timingRuns = 5;
    @Option(names = "--skip-laplace", description = "skip the Laplace fits")
    boolean skipLaplace;
    @Option(names = "--seed", description = "seed of data, initialisation and batch order (default ${DEFAULT-VALUE})")
    long seed = 1;

    /**
     * Runs the experiment; exits with the command's status.
     *
     * @param args the options ({@code --help} lists them)
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new GraphOptimizerExperiment()).execute(args));
    }

    @Override
    public Integer call() {
        GraphDataset all = SyntheticGraphs.generate(trainGraphs + validationGraphs, minNodes, maxNodes,
                edgeProbability, seed, DataType.FLOAT);
        Split<GraphDataset> split = all.split((double) validationGraphs / (trainGraphs + validationGraphs), seed);
        GraphDataset train = split.train();
        GraphDataset validation = split.validation();
        Supplier<Network> model = () -> GraphNetwork.builder().nodeFeatures(all.nodeFeatures())
                .edgeFeatures(all.edgeFeatures()).width(width).blocks(blocks).mlpLayers(2).aggregation(aggregation)
                .activation(activation).readout(Readout.NODE_MEAN)
                .outputs(SyntheticGraphs.TASKS).seed(seed).dataType(DataType.FLOAT).build();
        System.out.printf(Locale.ROOT, "%s; train %d, validation %d graphs of %d-%d nodes; %d parameters%n%n",
                all, train.size(), validation.size(), minNodes, maxNodes, model.get().numParameters());
        Settings settings = new Settings(batch, maxSteps, maxSeconds, evalEvery, target, warmup, momentum,
                curvature, factorInterval, inverseInterval, factorDecay, seed);
        List<Result> results = new ArrayList<>();
        System.out.println("| method | lr | damping | steps to AP " + target + " | train s to target | best val AP "
                + "| steps run | train s |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Method method : methods) {
            for (double lr : method == Method.ADAM ? adamRates : kfacRates) {
                for (double damping : method == Method.ADAM ? new double[] {Double.NaN} : dampings) {
                    Result r = GraphTrainingRun.run(method, lr, damping, model, train, validation, settings);
                    results.add(r);
                    System.out.printf(Locale.ROOT, "| %s | %g | %s | %s | %s | %.4f | %d | %.1f |%n", method, lr,
                            Double.isNaN(damping) ? "-" : String.format(Locale.ROOT, "%g", damping),
                            r.reached() ? Integer.toString(r.stepsToTarget()) : "not reached",
                            r.reached() ? String.format(Locale.ROOT, "%.1f", r.secondsToTarget()) : "-", r.bestAp(),
                            r.steps(), r.seconds());
                }
            }
        }
        System.out.println();
        summary(results);
        if (!skipLaplace) {
            laplace(results.stream().min(byStepsThenAp()).orElseThrow().network(), train, validation);
        }
        factorTiming(model, all);
        return 0;
    }

    private static Comparator<Result> byStepsThenAp() {
        return Comparator.<Result>comparingInt(r -> r.reached() ? r.stepsToTarget() : Integer.MAX_VALUE)
                .thenComparing(r -> -r.bestAp());
    }

    private void summary(List<Result> results) {
        System.out.println("| method (best lr, damping) | steps to target | train s to target | steps / Adam's | s / "
                + "Adam's |");
        System.out.println("|---|---|---|---|---|");
        Result adam = results.stream().anyMatch(r -> r.method() == Method.ADAM) ? best(results, Method.ADAM) : null;
        for (Method m : methods) {
            Result r = best(results, m);
            boolean both = adam != null && r.reached() && adam.reached();
            String stepRatio = both
                    ? String.format(Locale.ROOT, "%.2f", (double) r.stepsToTarget() / adam.stepsToTarget()) : "-";
            String timeRatio = both
                    ? String.format(Locale.ROOT, "%.2f", r.secondsToTarget() / adam.secondsToTarget()) : "-";
            System.out.printf(Locale.ROOT, "| %s (%g, %g) | %s | %s | %s | %s |%n", m, r.learningRate(),
                    r.damping(),
                    r.reached() ? Integer.toString(r.stepsToTarget()) : "not reached",
                    r.reached() ? String.format(Locale.ROOT, "%.1f", r.secondsToTarget()) : "-", stepRatio, timeRatio);
        }
        System.out.println();
    }

    private static Result best(List<Result> results, Method m) {
        return results.stream().filter(r -> r.method() == m).min(byStepsThenAp()).orElseThrow();
    }

    private void laplace(Network net, GraphDataset train, GraphDataset validation) {
        List<Batch> validationBatches = new ArrayList<>();
        validation.asBatches(batch).forEachRemaining(validationBatches::add);
        System.out.println("| KRON Laplace (REDUCE) | fit s | log marglik at prior 1 | tuned prior | log marglik tuned "
                + "| val NLL (probit) | val AP (probit) |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (SubsetOfWeights subset : java.util.List.of(SubsetOfWeights.ALL, SubsetOfWeights.LAST_LAYER)) {
            LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.KRON)
                    .subset(subset).likelihood(LikelihoodType.BINARY).flavour(KfacFlavour.REDUCE).build());
            long t0 = System.nanoTime();
            post.fit(train.asBatches(batch));
            double fitSeconds = (System.nanoTime() - t0) / 1e9;
            double before = post.logMarginalLikelihood();
            MarginalLikelihoodTuner.priorOnly().tune(post);
            double after = post.logMarginalLikelihood();
            double nll = GridSearch.validationNll(post, validationBatches);
            List<INDArray> probabilities = new ArrayList<>();
            GlmPredictive glm = new GlmPredictive(post);
            for (Batch b : validationBatches) {
                probabilities.add(glm.multiLabel(b.inputs()));
            }
            double ap = AveragePrecision.meanOverTasks(Nd4j.concat(0, probabilities.toArray(INDArray[]::new)),
                    validation.targets());
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %s | %.1f | %.4f | %.4f |%n", subset, fitSeconds,
                    before, Arrays.toString(Arrays.stream(post.priorPrecision().values()).mapToObj(
                            v -> String.format(Locale.ROOT, "%.3g", v)).toArray()), after, nll, ap);
        }
        System.out.println();
    }

    private void factorTiming(Supplier<Network> model, GraphDataset all) {
        System.out.println("| batch | flavour | K-FAC pass s (forward, backward, factors; median) | peak RSS increase "
                + "MiB |");
        System.out.println("|---|---|---|---|");
        BinaryCrossEntropy bce = new BinaryCrossEntropy();
        for (int b : timingBatches) {
            GraphDataset part = all.subset(java.util.stream.IntStream.range(0, Math.min(b, all.size())).toArray());
            INDArray x = part.inputs();
            INDArray y = part.targets();
            for (KfacFlavour flavour : KfacFlavour.values()) {
                Network net = model.get();
                KfacEstimator est = new KfacEstimator(net, bce, KfacOptions.builder().flavour(flavour)
                        .curvatureType(CurvatureType.GGN).build());
                est.accumulate(x, y);
                KronFactors.closeAll(est.factors().values());
                double[] t = new double[timingRuns];
                PeakResidentMemory memory = PeakResidentMemory.during(() -> {
                    for (int r = 0; r < timingRuns; r++) {
                        long t0 = System.nanoTime();
                        est.reset();
                        est.accumulate(x, y);
                        KronFactors.closeAll(est.factors().values());
                        t[r] = (System.nanoTime() - t0) / 1e9;
                    }
                });
                Arrays.sort(t);
                System.out.printf(Locale.ROOT, "| %d | %s | %.4f | %.1f |%n", part.size(), flavour, t[t.length / 2],
                        memory.increaseMiB());
            }
        }
        System.out.println();
    }
}
