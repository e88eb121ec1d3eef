package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.DataFormat;
import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.laplace.LikelihoodType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Training data from files other than CIFAR-10: MNIST-style IDX, delimited text tables and NumPy arrays, for
 * classification or regression (see docs/data-formats.md). Resolved together with {@link DataOptions} into one
 * {@link DataSource}.
 */
public final class DataFormatOptions {
    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "CIFAR (with --data-dir), IDX, CSV or NPY (default: inferred from the --train-file names: "
                    + ".npy is NPY, .csv/.tsv/.txt is CSV, anything else IDX; CIFAR with --data-dir).")
    DataFormat format;

    @Option(names = "--train-file", paramLabel = "FILE", split = ",",
            description = "Training data: IDX images,labels; NPY inputs,targets; CSV one table.")
    List<Path> trainFiles;

    @Option(names = "--test-file", paramLabel = "FILE", split = ",",
            description = "Test data in the form of --train-file (default: a seeded --test-fraction of the training "
                    + "rows is held out, seed --data-seed).")
    List<Path> testFiles;

    @Option(names = "--test-fraction", paramLabel = "FRACTION", defaultValue = "0.2",
            description = "Share of the training rows held out for testing when no --test-file is given (default: "
                    + "${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--task", paramLabel = "TASK",
            description = "CLASSIFICATION or REGRESSION (default: CLASSIFICATION for IDX and integer NPY targets, "
                    + "REGRESSION for CSV and floating-point NPY targets).")
    LikelihoodType task;

    @Option(names = "--target-column", paramLabel = "COLUMN",
            description = "CSV target column: header name or 0-based index (default: the last column).")
    String targetColumn;

    @Option(names = "--delimiter", paramLabel = "CHAR",
            description = "CSV cell separator, one character or 'tab' (default: tab for .tsv, else ',').")
    String delimiter;

    @Option(names = "--header", negatable = true,
            description = "Whether the CSV table's first line names the columns (default: yes when that line has a "
                    + "cell that is not a number).")
    Boolean header;

    /**
     * Whether any option of this group was given (files, format or task).
     *
     * @return true when file data is asked for
     */
    boolean given() {
        return format != null || trainFiles != null || testFiles != null || task != null || targetColumn != null
                || delimiter != null || header != null;
    }

    /**
     * The data source these options and {@code data} describe, with the format and task inferred where unambiguous.
     *
     * @param data the CIFAR / synthetic options and the sizes and seed
     * @return the source
     * @throws IllegalArgumentException for contradicting or incomplete options
     * @throws IOException              when a file is missing or (for inferring the task) unreadable
     */
    DataSource resolve(DataOptions data) throws IOException {
        if (!given()) {
            return data.cifar()
                    ? source(DataFormat.CIFAR, List.of(data.dataDir), List.of(), LikelihoodType.CLASSIFICATION, data)
                    : source(DataFormat.SYNTHETIC, List.of(), List.of(), LikelihoodType.CLASSIFICATION, data);
        }
        if (data.cifar()) {
            if (trainFiles != null || testFiles != null || (format != null && format != DataFormat.CIFAR)
                    || task == LikelihoodType.REGRESSION) {
                throw new IllegalArgumentException("--data-dir reads CIFAR-10 classification data; use --train-file "
                        + "(and --test-file) for IDX, CSV or NPY files");
            }
            return source(DataFormat.CIFAR, List.of(data.dataDir), List.of(), LikelihoodType.CLASSIFICATION, data);
        }
        if (trainFiles == null || trainFiles.isEmpty()) {
            throw new IllegalArgumentException(format == DataFormat.CIFAR ? "--data-format CIFAR needs --data-dir"
                    : "--train-file is required with --data-format, --task and the CSV options");
        }
        DataFormat resolved = format != null ? format : infer(trainFiles.get(0));
        if (resolved == DataFormat.SYNTHETIC || resolved == DataFormat.CIFAR) {
            throw new IllegalArgumentException("--train-file reads IDX, CSV or NPY data, not " + resolved);
        }
        int files = resolved == DataFormat.CSV ? 1 : 2;
        String form = switch (resolved) {
            case IDX -> "IMAGES,LABELS";
            case NPY -> "INPUTS,TARGETS";
            default -> "TABLE";
        };
        checkCount("--train-file", trainFiles, files, resolved, form);
        if (testFiles != null) {
            checkCount("--test-file", testFiles, files, resolved, form);
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
        if (resolved != DataFormat.CSV && (targetColumn != null || delimiter != null || header != null)) {
            throw new IllegalArgumentException("--target-column, --delimiter and --header apply to CSV tables, not "
                    + resolved);
        }
        for (Path f : trainFiles) {
            requireFile(f);
        }
        for (Path f : testFiles == null ? List.<Path>of() : testFiles) {
            requireFile(f);
        }
        LikelihoodType resolvedTask = task != null ? task : switch (resolved) {
            case IDX -> LikelihoodType.CLASSIFICATION;
            case NPY -> FileData.integerTargets(trainFiles.get(1)) ? LikelihoodType.CLASSIFICATION
                    : LikelihoodType.REGRESSION;
            default -> LikelihoodType.REGRESSION;
        };
        if (resolvedTask == LikelihoodType.BINARY) {
            throw new IllegalArgumentException("--task must be CLASSIFICATION or REGRESSION, got BINARY");
        }
        if (resolved == DataFormat.IDX && resolvedTask == LikelihoodType.REGRESSION) {
            throw new IllegalArgumentException("IDX label files hold classes: --task REGRESSION needs CSV or NPY data");
        }
        return source(resolved, trainFiles, testFiles == null ? List.of() : testFiles, resolvedTask, data);
    }

    private DataSource source(DataFormat f, List<Path> train, List<Path> test, LikelihoodType t, DataOptions data)
            throws IOException {
        char sep = delimiter == null ? (f == DataFormat.CSV && name(train.get(0)).endsWith(".tsv") ? '\t' : ',')
                : delimiter(delimiter);
        boolean hasHeader = header != null ? header
                : f == DataFormat.CSV && FileData.firstLineHasText(train.get(0), sep);
        return new DataSource(f, absolute(train), absolute(test), t, targetColumn, sep, hasHeader, testFraction,
                data.dataSeed, data.trainSize, data.testSize,
                f == DataFormat.SYNTHETIC ? data.variant.name() : null);
    }

    private static List<String> absolute(List<Path> files) {
        return files.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
    }

    private static char delimiter(String text) {
        if (text.equalsIgnoreCase("tab") || text.equals("\\t")) {
            return '\t';
        }
        if (text.length() != 1) {
            throw new IllegalArgumentException("--delimiter must be one character or 'tab', got '" + text + "'");
        }
        return text.charAt(0);
    }

    private static void checkCount(String option, List<Path> files, int expected, DataFormat f, String form) {
        if (files.size() != expected) {
            throw new IllegalArgumentException(option + " for " + f + " data is " + form + " (" + expected
                    + (expected == 1 ? " file" : " files, comma-separated") + "), got " + files.size());
        }
    }

    private static void requireFile(Path f) throws IOException {
        if (Files.isDirectory(f)) {
            throw new NoSuchFileException(f.toString(), null, "a directory, expected a data file");
        }
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, "data file not found");
        }
    }

    private static DataFormat infer(Path file) {
        String n = name(file);
        if (n.endsWith(".npy")) {
            return DataFormat.NPY;
        }
        if (n.endsWith(".csv") || n.endsWith(".tsv") || n.endsWith(".txt")) {
            return DataFormat.CSV;
        }
        return DataFormat.IDX;
    }

    private static String name(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT);
    }
}
