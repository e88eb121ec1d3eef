package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.laplace.LikelihoodType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a model's training and test data came from and how it was read, as recorded in the saved model so that
 * {@code evaluate} reads the same test data again (see docs/data-formats.md).
 *
 * @param format       the file format
 * @param trainFiles   the training files (IDX and NPY: inputs then targets; CSV: the table; CIFAR: the directory;
 *                     none for synthetic images), as absolute paths
 * @param testFiles    the test files in the same form, or empty when the test split is held out of the training files
 * @param task         CLASSIFICATION or REGRESSION
 * @param targetColumn the CSV target column by name or 0-based index (null: the last column)
 * @param delimiter    the CSV cell separator
 * @param header       whether the CSV table has a header line
 * @param testFraction the share of the training rows held out for testing when there are no test files
 * @param seed         the seed of that split, and of synthetic images
 * @param trainSize    the number of training examples used (null: all)
 * @param testSize     the number of test examples used (null: all)
 * @param variant      the synthetic labelling (null for files)
 */
public record DataSource(DataFormat format, List<String> trainFiles, List<String> testFiles, LikelihoodType task,
                         String targetColumn, char delimiter, boolean header, double testFraction, long seed,
                         Integer trainSize, Integer testSize, String variant) {
    /**
     * Copies the lists and checks the format and task are present.
     *
     * @param format       the file format, not null
     * @param trainFiles   the training files as absolute paths (IDX and NPY: inputs then targets; CSV: the table;
     *                     CIFAR: the directory; none for synthetic images), copied
     * @param testFiles    the test files in the same form, or empty when the test split is held out of the training
     *                     files; copied
     * @param task         CLASSIFICATION or REGRESSION, not null
     * @param targetColumn the CSV target column by name or 0-based index (null: the last column)
     * @param delimiter    the CSV cell separator
     * @param header       whether the CSV table has a header line
     * @param testFraction the share of the training rows held out for testing when there are no test files
     * @param seed         the seed of that split, and of synthetic images
     * @param trainSize    the number of training examples used (null: all)
     * @param testSize     the number of test examples used (null: all)
     * @param variant      the synthetic labelling (null for files)
     * @throws NullPointerException when the format, the task, a file list or a file name is null
     */
    public DataSource {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(task, "task");
        trainFiles = List.copyOf(trainFiles);
        testFiles = List.copyOf(testFiles);
    }

    /**
     * A one-line description for reports and messages.
     *
     * @return e.g. {@code CSV houses.csv (regression, 20% held out, seed 1)}
     */
    public String describe() {
        String test = testFiles.isEmpty() ? String.format(Locale.ROOT, "%.0f%% held out, seed %d", 100 * testFraction,
                seed) : "test " + fileNames(testFiles);
        return format + " " + fileNames(trainFiles) + " (" + task.name().toLowerCase(Locale.ROOT) + ", " + test + ")";
    }

    private static String fileNames(List<String> files) {
        return String.join(", ", files.stream().map(f -> Path.of(f).getFileName().toString()).toList());
    }
}
