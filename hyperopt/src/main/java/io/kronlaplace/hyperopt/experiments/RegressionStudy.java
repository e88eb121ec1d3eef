package io.kronlaplace.hyperopt.experiments;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.OptimizerKind;
import io.kronlaplace.hyperopt.PriorStructure;
import io.kronlaplace.hyperopt.ScheduleKind;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.FunctionalPrediction;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.validation.data.CsvRegressionReader;
import io.kronlaplace.validation.data.RegressionDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Post-hoc versus online Laplace on tabular regression: for each CSV table (header row, target in the last column) and
 * each of {@code --splits} random 90/10 splits, a one-hidden-layer ReLU MLP is trained three ways and scored on the
 * held-out tenth by Gaussian log-likelihood per example and RMSE, in the target's original units:
 * <ul>
 *   <li>MAP: fixed prior precision (weight decay), observation noise sigma the training RMSE;</li>
 *   <li>POST_HOC: the same MAP network, a KRON Laplace posterior whose scalar prior and sigma are tuned by the
 *       marginal likelihood, GLM predictive N(f(x), J P^-1 J^T + sigma^2);</li>
 *   <li>ONLINE: online marginal-likelihood training with layer-wise priors and sigma learned during training, then
 *       the GLM predictive of a KRON posterior at the learned hyperparameters.</li>
 * </ul>
 * Features and targets are standardised with the training split's statistics. The table gives mean and standard
 * error over the splits. See docs/online-training.md, section Online versus post-hoc regression.
 *
 * <p>Usage: {@code java -cp <hyperopt jar> io.kronlaplace.hyperopt.experiments.RegressionStudy [options] CSV...};
 * {@code hyperopt/src/main/python/regression_data.py} writes the tables the measurements used.
 */
@Command(name = "regression-study", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Held-out log-likelihood and RMSE of MAP, post-hoc Laplace and online marginal-likelihood "
                + "training of a regression MLP on CSV tables.")
public final class RegressionStudy implements Callable<Integer> {
    /** The three ways of training and predicting. */
    public enum Method {
        /** MAP weights with a fixed prior, sigma the training RMSE. */
        MAP,
        /** The MAP network with a KRON Laplace posterior, prior and sigma tuned by the marginal likelihood. */
        POST_HOC,
        /** Online marginal-likelihood training of weights, layer-wise priors and sigma. */
        ONLINE
    }

    @Parameters(arity = "1..*", paramLabel = "CSV", description = "Regression tables: header row, target last.")
    List<Path> tables;

    @Option(names = "--splits", defaultValue = "5", description = "Random 90/10 splits (default: ${DEFAULT-VALUE}).")
    int splits;

    @Option(names = "--epochs", defaultValue = "300", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--hidden", defaultValue = "50", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--batch-size", defaultValue = "32", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.001",
            description = "Adam learning rate of the weights (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--prior", defaultValue = "1.0",
            description = "Fixed prior precision of MAP training, and the start of the learned ones "
                    + "(default: ${DEFAULT-VALUE}).")
    double prior;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of splits and training (default: ${DEFAULT-VALUE}).")
    long seed;

    /**
     * Runs the study from the command line.
     *
     * @param args the options and CSV paths ({@code --help} lists them)
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new RegressionStudy()).execute(args));
    }

    /**
     * Runs every table and split and prints one table row per data set and method.
     *
     * @return 0
     * @throws IOException when a table cannot be read
     */
    @Override
    public Integer call() throws IOException {
        System.out.println("| data | method | test log-lik per example | test RMSE |");
        System.out.println("|---|---|---|---|");
        for (Path table : tables) {
            RegressionDataset data = CsvRegressionReader.builder().build().read(table).castTo(DataType.DOUBLE);
            Map<Method, List<double[]>> scores = new EnumMap<>(Method.class);
            for (int split = 0; split < splits; split++) {
                score(data, seed + split).forEach((m, s) -> scores.computeIfAbsent(m, k -> new ArrayList<>()).add(s));
            }
            for (Method m : Method.values()) {
                List<double[]> s = scores.get(m);
                System.out.printf(Locale.ROOT, "| %s (N=%d) | %s | %s | %s |%n", data.name(), data.size(), m,
                        meanAndError(s, 0), meanAndError(s, 1));
            }
        }
        return 0;
    }

    /** Log-likelihood per example and RMSE of each method on one split, original units. */
    private Map<Method, double[]> score(RegressionDataset data, long splitSeed) {
        int n = data.size();
        int[] order = permutation(n, splitSeed);
        int testSize = Math.max(1, n / 10);
        int[] test = java.util.Arrays.copyOfRange(order, 0, testSize);
        int[] train = java.util.Arrays.copyOfRange(order, testSize, n);
        Standardised s = Standardised.of(data.subset(train));
        RegressionDataset trainSet = s.apply(data.subset(train));
        RegressionDataset testSet = s.apply(data.subset(test));
        Map<Method, double[]> out = new EnumMap<>(Method.class);

        Network map = mlp(data.featureCount(), splitSeed);
        train(map, trainSet, trainingOptions(splitSeed).burnIn(epochs + 1).build());
        double trainRmse = Math.sqrt(squaredError(map.forward(trainSet.inputs(), Mode.EVAL), trainSet.targets())
                / trainSet.size());
        INDArray mapMean = map.forward(testSet.inputs(), Mode.EVAL).castTo(DataType.DOUBLE);
        out.put(Method.MAP, s.scores(mapMean, null, trainRmse, testSet.targets()));

        LaplacePosterior postHoc = posterior(map, trainSet, PriorPrecision.scalar(prior), trainRmse);
        new MarginalLikelihoodTuner(300, 0.1, true).tune(postHoc);
        out.put(Method.POST_HOC, glmScores(postHoc, s, testSet));

        Network online = mlp(data.featureCount(), splitSeed);
        TrainingResult learned = train(online, trainSet, trainingOptions(splitSeed).burnIn(10).marglikFrequency(5)
                .hypersteps(50).priorStructure(PriorStructure.LAYERWISE).build());
        LaplacePosterior onlinePosterior = posterior(online, trainSet,
                PriorPrecision.perGroup(learned.priorPrecisions()), learned.sigma());
        out.put(Method.ONLINE, glmScores(onlinePosterior, s, testSet));
        return out;
    }

    private OnlineMarglikOptions.Builder trainingOptions(long splitSeed) {
        return OnlineMarglikOptions.builder().epochs(epochs).batchSize(batchSize).optimizer(OptimizerKind.ADAM)
                .learningRate(learningRate).schedule(ScheduleKind.COSINE).initialPriorPrecision(prior)
                .likelihood(LikelihoodType.REGRESSION).curvatureType(CurvatureType.GGN).augmentationSamples(0)
                .curvatureBatchSize(256).seed(splitSeed);
    }

    private static TrainingResult train(Network network, RegressionDataset train, OnlineMarglikOptions options) {
        return new OnlineMarglikTrainer(network, train, options).train(TrainingListener.NONE);
    }

    private Network mlp(int features, long splitSeed) {
        Init init = new Init(splitSeed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Linear(features, hidden, true, init), new ReLU(),
                new Linear(hidden, 1, true, init)));
    }

    private static LaplacePosterior posterior(Network network, RegressionDataset train, PriorPrecision prior,
                                              double sigma) {
        LaplacePosterior post = Laplace.create(network, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.REGRESSION).prior(prior).sigma(sigma).build());
        post.fit(List.of(new Batch(train.inputs(), train.targets())).iterator());
        return post;
    }

    private static double[] glmScores(LaplacePosterior post, Standardised s, RegressionDataset test) {
        FunctionalPrediction f = post.functionalPrediction(test.inputs());
        INDArray variance = f.covariance().reshape(test.size());
        return s.scores(f.mean(), variance, post.sigma(), test.targets());
    }

    private static double squaredError(INDArray prediction, INDArray targets) {
        INDArray r = prediction.castTo(DataType.DOUBLE).sub(targets.castTo(DataType.DOUBLE));
        return r.mul(r).sumNumber().doubleValue();
    }

    private static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** "mean +- standard error" of one score over the splits. */
    static String meanAndError(List<double[]> scores, int which) {
        double mean = scores.stream().mapToDouble(s -> s[which]).average().orElseThrow();
        double se = 0;
        if (scores.size() > 1) {
            double ss = scores.stream().mapToDouble(s -> (s[which] - mean) * (s[which] - mean)).sum();
            se = Math.sqrt(ss / (scores.size() - 1) / scores.size());
        }
        return String.format(Locale.ROOT, "%.3f +- %.3f", mean, se);
    }

    /** Standardisation of features and target by a training split's means and standard deviations. */
    private record Standardised(INDArray featureMean, INDArray featureStd, double targetMean, double targetStd) {
        static Standardised of(RegressionDataset train) {
            INDArray x = train.features();
            INDArray std = x.std(false, 0);
            // a constant feature keeps its scale instead of dividing by zero
            std = std.add(std.eq(0).castTo(DataType.DOUBLE));
            double targetStd = train.targets().stdNumber().doubleValue();
            return new Standardised(x.mean(0), std, train.targets().meanNumber().doubleValue(),
                    targetStd > 0 ? targetStd : 1.0);
        }

        RegressionDataset apply(RegressionDataset d) {
            INDArray x = d.features().subRowVector(featureMean).divRowVector(featureStd);
            INDArray y = d.targets().sub(targetMean).divi(targetStd);
            return new RegressionDataset(d.name(), x, y);
        }

        /**
         * Gaussian log-likelihood per example and RMSE in original units of standardised predictions with functional
         * variance (null: none) plus sigma^2.
         */
        double[] scores(INDArray mean, INDArray functionalVariance, double sigma, INDArray standardisedTargets) {
            long n = mean.length();
            double logLik = 0;
            double squared = 0;
            for (long i = 0; i < n; i++) {
                double variance = sigma * sigma + (functionalVariance == null ? 0 : functionalVariance.getDouble(i));
                double r = standardisedTargets.getDouble(i) - mean.getDouble(i);
                logLik += -0.5 * Math.log(2 * Math.PI * variance) - 0.5 * r * r / variance;
                squared += r * r;
            }
            return new double[] {logLik / n - Math.log(targetStd), Math.sqrt(squared / n) * targetStd};
        }
    }
}
