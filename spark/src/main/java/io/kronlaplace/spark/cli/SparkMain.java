package io.kronlaplace.spark.cli;

import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.hyperopt.cli.CurvatureCommand;
import io.kronlaplace.hyperopt.cli.CurvatureRunner;
import io.kronlaplace.hyperopt.cli.EvaluateCommand;
import io.kronlaplace.hyperopt.cli.EvaluationRunner;
import io.kronlaplace.hyperopt.cli.Main;
import io.kronlaplace.hyperopt.cli.SearchCommand;
import io.kronlaplace.hyperopt.cli.TrainCommand;
import io.kronlaplace.hyperopt.cli.TrainerFactory;
import io.kronlaplace.hyperopt.search.GridRunner;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.spark.SparkContexts;
import io.kronlaplace.spark.SparkCurvature;
import io.kronlaplace.spark.SparkEvaluation;
import io.kronlaplace.spark.SparkGridSearch;
import io.kronlaplace.spark.SparkTraining;
import io.kronlaplace.validation.data.ImageDataset;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code kronlaplace-spark}: the {@code kronlaplace} commands {@code train}, {@code evaluate},
 * {@code curvature} and {@code search} with the extra options {@code --spark-master} and {@code --spark-partitions},
 * running their expensive parts on Spark: data-parallel training with distributed curvature passes
 * ({@link SparkTraining}), the distributed evaluation ({@link SparkEvaluation}), the distributed curvature pass
 * ({@link SparkCurvature}) and one task per grid point ({@link SparkGridSearch}). The written files, exit codes and
 * error messages are those of {@code kronlaplace} (see docs/spark.md, section Command line).
 */
@Command(name = "kronlaplace-spark", mixinStandardHelpOptions = true, version = "kronlaplace 0.1.0",
        description = "kronlaplace commands on Apache Spark.")
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a sub-command: print the usage and fail, so scripts notice the missing command. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing sub-command (train, evaluate, search, "
                + "curvature)");
    }

    /**
     * The Spark options of one command, and the context they name: started on first use (so that bad arguments
     * fail before Spark starts) and stopped when the command has finished.
     */
    public static final class SparkOptions {
        @Option(names = "--spark-master", paramLabel = "URL", defaultValue = SparkContexts.DEFAULT_MASTER,
                description = "Spark master: local[N], spark://host:port, yarn, k8s://... (default: "
                        + "${DEFAULT-VALUE}, embedded).")
        String master;

        @Option(names = "--spark-partitions", paramLabel = "N",
                description = "Partitions of the data (for train: data-parallel replicas, which must all run at "
                        + "once) (default: the master's default parallelism, e.g. N of local[N]).")
        Integer partitions;

        private final String appName;
        private JavaSparkContext context;

        SparkOptions(String appName) {
            this.appName = appName;
        }

        /**
         * The master given on the command line.
         *
         * @return e.g. {@code local[2]}
         */
        public String master() {
            return master;
        }

        /** The context of this command, started on first use. */
        JavaSparkContext context() {
            if (context == null) {
                context = SparkContexts.create(master, appName);
            }
            return context;
        }

        /**
         * The partitions given, or the context's default parallelism.
         *
         * @throws IllegalArgumentException for fewer than one
         */
        int partitions() {
            if (partitions != null && partitions < 1) {
                throw new IllegalArgumentException("--spark-partitions must be >= 1, got " + partitions);
            }
            return partitions != null ? partitions : context().defaultParallelism();
        }

        /** Stops the context if it was started (which also frees its broadcasts). */
        void stop() {
            if (context != null) {
                context.stop();
                context = null;
            }
        }
    }

    /**
     * Runs the tool and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the tool in-process (for tests and embedding) and returns the exit code.
     *
     * @param out  standard output (results, help)
     * @param err  standard error (errors, progress)
     * @param args the command line
     * @return the exit code (see {@code ExitCodes})
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        List<SparkOptions> sessions = new ArrayList<>();
        SparkOptions train = session(sessions, "kronlaplace train");
        SparkOptions evaluate = session(sessions, "kronlaplace evaluate");
        SparkOptions curvature = session(sessions, "kronlaplace curvature");
        SparkOptions search = session(sessions, "kronlaplace search");
        CommandLine cl = new CommandLine(new SparkMain())
                .addSubcommand("train", withOptions(new TrainCommand(trainers(train)), train))
                .addSubcommand("evaluate", withOptions(new EvaluateCommand(evaluation(evaluate)), evaluate))
                .addSubcommand("search", withOptions(new SearchCommand(gridRunner(search)), search))
                .addSubcommand("curvature", withOptions(new CurvatureCommand(curvatureRunner(curvature)), curvature))
                .addSubcommand("help", new CommandLine.HelpCommand());
        try {
            return Main.run(cl, out, err, args);
        } finally {
            sessions.forEach(SparkOptions::stop);
        }
    }

    private static SparkOptions session(List<SparkOptions> sessions, String appName) {
        SparkOptions options = new SparkOptions(appName);
        sessions.add(options);
        return options;
    }

    private static CommandLine withOptions(Object command, SparkOptions options) {
        CommandLine cl = new CommandLine(command);
        cl.addMixin("spark", options);
        return cl;
    }

    /** Data-parallel training: one replica per partition, the curvature passes partitioned the same way. */
    private static TrainerFactory trainers(SparkOptions spark) {
        return (architecture, network, data, options) -> new SparkTraining(spark.context(), spark.partitions(),
                () -> architecture.build(0), data, options).trainer(network);
    }

    private static EvaluationRunner evaluation(SparkOptions spark) {
        return (evaluation, architecture, data, test, shifts, ood, report) ->
                new SparkEvaluation(spark.context(), spark.partitions()).evaluate(evaluation,
                        () -> architecture.build(0), data, test, shifts, ood, report);
    }

    private static GridRunner gridRunner(SparkOptions spark) {
        return (grid, configs, data, validation) -> {
            if (!(data instanceof ImageDataset images) || !(validation instanceof ImageDataset validationImages)) {
                throw new IllegalArgumentException("distributed search trains Wide ResNets on images; search "
                        + "regression data with 'kronlaplace search --model-kind MLP' on one machine");
            }
            return new SparkGridSearch(spark.context()).run(grid, configs, images, validationImages);
        };
    }

    /** The exported pass as a {@link SparkCurvature} pass over the same batches, normalised on the driver. */
    private static CurvatureRunner curvatureRunner(SparkOptions spark) {
        return (architecture, network, kfac, data, rows) -> {
            List<Batch> batches = new ArrayList<>();
            for (int from = 0; from < data.size(); from += rows) {
                batches.add(CurvatureCommand.batch(data, from, rows));
            }
            return new SparkCurvature(spark.context(), spark.partitions())
                    .sums(() -> architecture.build(0), network, laplaceOptions(kfac), batches, kfac.seed())
                    .normalised(kfac.device());
        };
    }

    /** The classification KRON options of the estimator's settings. */
    private static LaplaceOptions laplaceOptions(KfacOptions kfac) {
        return LaplaceOptions.builder().subset(SubsetOfWeights.ALL).flavour(kfac.flavour()).curvatureType(kfac.curvatureType())
                .mcSamples(kfac.mcSamples()).sharedRowsPerExample(kfac.sharedRowsPerExample()).device(kfac.device())
                .build();
    }
}
