package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.io.CorruptFileException;
import io.kronlaplace.io.OutputWriteException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code kronlaplace} command-line tool: online marginal-likelihood training, Laplace evaluation,
 * hyperparameter search, curvature export and benchmarks.
 *
 * <p>Exit codes: {@link ExitCodes#OK} on success, {@link ExitCodes#USAGE} for bad arguments, {@link ExitCodes#INPUT}
 * for missing or corrupt input files (every reader's {@link CorruptFileException}), {@link ExitCodes#LOCKED} when
 * another live run owns the output directory, {@link ExitCodes#OUTPUT} when an output file or the output directory
 * cannot be written (disk full, read-only), {@link ExitCodes#FAILURE} for failures while running.
 */
@Command(name = "kronlaplace", mixinStandardHelpOptions = true, version = "kronlaplace 0.1.0",
        description = "Laplace approximations and marginal-likelihood hyperparameter learning on a K-FAC engine.",
        footer = {"", "Exit codes: 0 success, 1 failure while running, 2 bad arguments, 3 missing or corrupt input "
                + "file, 4 output directory owned by another running process, 5 output not writable (disk full, "
                + "read-only or no permission; the message names the path)."},
        subcommands = {TrainCommand.class, EvaluateCommand.class, SearchCommand.class, CurvatureCommand.class,
                BenchCommand.class, FuzzCommand.class, ImportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a sub-command: print the usage and fail, so scripts notice the missing command. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing sub-command (train, evaluate, import, "
                + "search, curvature, bench)");
    }

    /**
     * Runs the tool and exits the JVM with its exit code ({@link ExitCodes}).
     *
     * @param args a sub-command and its options, e.g. {@code train --epochs 10 --out run}
     */
    public static void main(String[] args) {
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }

    /**
     * Runs the tool in-process (for tests and embedding): parses {@code args}, runs the sub-command and returns the
     * exit code instead of exiting.
     *
     * @param out  standard output (results, help)
     * @param err  standard error (errors, progress)
     * @param args a sub-command and its options
     * @return the exit code, one of {@link ExitCodes}: {@link ExitCodes#OK} on success
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(new CommandLine(new Main()), out, err, args);
    }

    /**
     * Runs a command line of this tool's commands (e.g. another entry point's, with more options) with this tool's
     * error handling and exit codes.
     *
     * @param cl   the command line to run; its output, error streams and handlers are replaced
     * @param out  standard output (results, help)
     * @param err  standard error (errors, progress)
     * @param args a sub-command and its options
     * @return the exit code, one of {@link ExitCodes}: {@link ExitCodes#USAGE} for a bad command line, the code of
     *         the failure's kind when the command throws, else the command's own
     */
    public static int run(CommandLine cl, PrintWriter out, PrintWriter err, String... args) {
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            cmd.getErr().flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            boolean trace = parseResult.hasMatchedOption("--stacktrace")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--stacktrace"));
            PrintWriter e = cmd.getErr();
            e.println("error: " + describe(ex));
            if (trace) {
                ex.printStackTrace(e);
            }
            e.flush();
            return exitCode(ex);
        });
        return cl.execute(args);
    }

    /** A one-line, user-facing description of a failure. */
    static String describe(Throwable ex) {
        if (ex instanceof NoSuchFileException nsf) {
            return "file not found: " + nsf.getFile() + (nsf.getReason() == null ? "" : " (" + nsf.getReason() + ")");
        }
        if (ex instanceof AccessDeniedException ade) {
            return "permission denied: " + ade.getFile();
        }
        String msg = ex.getMessage();
        return msg == null || msg.isBlank() ? ex.getClass().getSimpleName() : msg;
    }

    /** The exit code for a failure: input problems, bad arguments found late, or a failure while running. */
    static int exitCode(Throwable ex) {
        if (ex instanceof OutputDirectoryLockedException) {
            return ExitCodes.LOCKED;
        }
        if (ex instanceof OutputWriteException) {
            return ExitCodes.OUTPUT;
        }
        if (ex instanceof CorruptFileException || ex instanceof IOException) {
            return ExitCodes.INPUT;
        }
        if (ex instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILURE;
    }
}
