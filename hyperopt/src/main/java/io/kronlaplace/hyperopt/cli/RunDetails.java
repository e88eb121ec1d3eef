package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The "Run" settings a command's report starts with: the exact command line, the seed and the data sizes, so that a
 * reader can reproduce the results.
 */
final class RunDetails {
    /** Arguments made only of these characters need no quoting in a POSIX shell. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+@%^-]+");

    private RunDetails() {
    }

    /** Adds the command line as typed (program name, sub-command and every argument) and the seed. */
    static void commandAndSeed(EvaluationReport.Builder report, CommandSpec spec, long seed) {
        report.runDetail("Command", commandLine(spec.root().name(), spec.commandLine().getParseResult()
                .originalArgs()));
        report.runDetail("Seed", Long.toString(seed));
    }

    /** Adds the sizes of the image sets a model was trained or evaluated on. */
    static void imageSizes(EvaluationReport.Builder report, ImageDataset train, ImageDataset test,
                           List<ShiftedDataset> shifts, ImageDataset ood) {
        report.runDetail("Training examples", train.size() + " (" + train.name() + ")");
        report.runDetail("Test examples", test.size() + " (" + test.name() + ")");
        if (!shifts.isEmpty()) {
            report.runDetail("Shifted test sets", shifts.size() + " sets of " + shifts.get(0).dataset().size()
                    + " examples (" + shifts.stream().map(ShiftedDataset::name).collect(Collectors.joining(", "))
                    + ")");
        }
        if (ood != null) {
            report.runDetail("Out-of-distribution examples", ood.size() + " (" + ood.name() + ")");
        }
    }

    /**
     * The command line as one shell-ready string: arguments with spaces or shell characters in single quotes.
     *
     * @param program the program name
     * @param args    the arguments after it, as received
     * @return the program and the arguments separated by spaces
     */
    static String commandLine(String program, List<String> args) {
        StringBuilder line = new StringBuilder(program);
        for (String arg : args) {
            line.append(' ').append(PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }
}
