package io.kronlaplace.spark.cli;

import io.kronlaplace.hyperopt.cli.Main;
import io.kronlaplace.hyperopt.cli.SearchCommand;
import io.kronlaplace.spark.SparkContexts;
import io.kronlaplace.spark.SparkGridSearch;
import java.io.PrintWriter;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code kronlaplace-spark}: the {@code kronlaplace} commands with an extra {@code --spark-master}
 * option, running their independent work as Spark tasks. {@code search} runs one task per grid point; the written
 * files, exit codes and error messages are those of {@code kronlaplace} (see docs/spark.md, section Command line).
 */
@Command(name = "kronlaplace-spark", mixinStandardHelpOptions = true, version = "kronlaplace 0.1.0",
        description = "kronlaplace commands on Apache Spark.")
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a sub-command: print the usage and fail, so scripts notice the missing command. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing sub-command (search)");
    }

    /** The {@code --spark-master} option of every command. */
    public static final class SparkOptions {
        @Option(names = "--spark-master", paramLabel = "URL", defaultValue = SparkContexts.DEFAULT_MASTER,
                description = "Spark master: local[N], spark://host:port, yarn, k8s://... (default: "
                        + "${DEFAULT-VALUE}, embedded).")
        String master;

        /** The master given on the command line. */
        public String master() {
            return master;
        }
    }

    /** Runs the tool and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the tool in-process (for tests and embedding) and returns the exit code.
     *
     * @param out standard output (results, help)
     * @param err standard error (errors, progress)
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        SparkOptions spark = new SparkOptions();
        CommandLine search = new CommandLine(new SearchCommand((grid, configs, train, validation) -> {
            JavaSparkContext context = SparkContexts.create(spark.master(), "kronlaplace search");
            try {
                return new SparkGridSearch(context).run(grid, configs, train, validation);
            } finally {
                context.stop();
            }
        }));
        search.addMixin("spark", spark);
        CommandLine cl = new CommandLine(new SparkMain()).addSubcommand("search", search)
                .addSubcommand("help", new CommandLine.HelpCommand());
        return Main.run(cl, out, err, args);
    }
}
