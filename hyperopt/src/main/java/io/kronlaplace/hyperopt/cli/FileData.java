package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.checkpoint.DataFormat;
import io.kronlaplace.hyperopt.checkpoint.DataSource;
import io.kronlaplace.io.Npy;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.CorruptDataException;
import io.kronlaplace.validation.data.CsvRegressionReader;
import io.kronlaplace.validation.data.Dataset;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.MnistReader;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.data.Split;
import io.kronlaplace.validation.data.SyntheticImages;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads the data a {@link DataSource} names: classification data as images (tables and flat arrays as [N, D, 1, 1],
 * one "channel" per feature), regression data as feature matrices; the test split is held out of the training rows
 * (seeded) when there are no test files. See docs/data-formats.md.
 */
final class FileData {
    /** A plain decimal number, as {@link CsvRegressionReader} accepts it. */
    private static final Pattern NUMBER = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*");

    private FileData() {
    }

    /**
     * Loaded, not yet standardised data: classification images (and an optional out-of-distribution set), or
     * regression train and test sets (then {@code images} is null).
     *
     * @param images         classification data, or null
     * @param regressionTrain regression training set, or null
     * @param regressionTest  regression test set, or null
     */
    record Loaded(DataOptions.Loaded images, RegressionDataset regressionTrain, RegressionDataset regressionTest) {
    }

    /**
     * Reads (or, for synthetic images, generates) the data of {@code source}.
     *
     * @param source what to read
     * @return the data
     * @throws IOException when a file is missing or corrupt (naming the file and the problem)
     */
    static Loaded load(DataSource source) throws IOException {
        switch (source.format()) {
            case SYNTHETIC, CIFAR -> {
                return new Loaded(options(source).load(), null, null);
            }
            default -> {
            }
        }
        boolean regression = source.task() == LikelihoodType.REGRESSION;
        List<Path> train = paths(source.trainFiles());
        List<Path> test = paths(source.testFiles());
        if (regression) {
            RegressionDataset all = readRegression(source, train);
            Split<RegressionDataset> split = test.isEmpty() ? all.split(source.testFraction(), source.seed())
                    : new Split<>(all, readRegression(source, test));
            return new Loaded(null, first(split.train(), source.trainSize()),
                    first(split.validation(), source.testSize()));
        }
        ImageDataset all = readClassification(source, train, 0);
        Split<ImageDataset> split = test.isEmpty() ? all.split(source.testFraction(), source.seed())
                : new Split<>(all, readClassification(source, test, all.numClasses()));
        return new Loaded(new DataOptions.Loaded(first(split.train(), source.trainSize()),
                first(split.validation(), source.testSize()), null), null, null);
    }

    /** The CIFAR / synthetic options that reproduce {@code source}. */
    private static DataOptions options(DataSource source) {
        DataOptions o = new DataOptions();
        o.dataDir = source.format() == DataFormat.CIFAR ? Path.of(source.trainFiles().get(0)) : null;
        o.trainSize = source.trainSize();
        o.testSize = source.testSize();
        o.dataSeed = source.seed();
        o.variant = source.variant() == null ? SyntheticImages.Variant.PATTERNS
                : SyntheticImages.Variant.valueOf(source.variant());
        return o;
    }

    /**
     * Per-feature standardisation of tabular inputs ([N, D] or [N, D, 1, 1]) fitted on the training rows: mean and
     * population standard deviation per column, a constant column kept as it is (scale 1) instead of failing.
     *
     * @param features the training inputs
     * @return the standardisation, one "channel" per feature
     */
    static ChannelNormalization columns(INDArray features) {
        INDArray x = features.reshape(features.size(0), -1).castTo(DataType.DOUBLE);
        double[] mean = x.mean(0).toDoubleVector();
        double[] std = x.std(false, 0).toDoubleVector();
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 1e-12 * Math.max(1.0, Math.abs(mean[c])))) {
                std[c] = 1.0;
            }
        }
        return new ChannelNormalization(mean, std);
    }

    /**
     * The input standardisation of classification training images: per feature ({@link #columns}) for a table's
     * 1 x 1 "images", per channel otherwise.
     *
     * @param train the raw training images
     * @return the standardisation fitted on {@code train}
     */
    static ChannelNormalization inputs(ImageDataset train) {
        return train.height() == 1 && train.width() == 1 ? columns(train.images()) : ChannelNormalization.fit(train);
    }

    /**
     * The standardisation of regression data fitted on training rows: per-feature inputs ({@link #columns}) and the
     * target's mean and population standard deviation.
     *
     * @param inputs     the feature standardisation
     * @param targetMean the training targets' mean
     * @param targetStd  the training targets' standard deviation (1 for a constant target)
     */
    record RegressionScaling(ChannelNormalization inputs, double targetMean, double targetStd) {
        /**
         * Fits the standardisation on {@code train}.
         *
         * @param train the raw training rows
         * @return the fitted standardisation
         */
        static RegressionScaling fit(RegressionDataset train) {
            ChannelNormalization target = columns(train.targets());
            return new RegressionScaling(columns(train.features()), target.mean()[0], target.std()[0]);
        }

        /**
         * {@code data} standardised with this scaling ({@link #standardize}).
         *
         * @param data the raw rows
         * @return the standardised rows in float32
         */
        RegressionDataset apply(RegressionDataset data) {
            return standardize(data, inputs, targetMean, targetStd);
        }
    }

    /**
     * {@code data} with standardised features and targets, in float32 (the networks' type).
     *
     * @param data    the raw regression data
     * @param inputs  the feature standardisation
     * @param targetMean the target mean subtracted
     * @param targetStd  the target standard deviation divided by
     * @return the standardised data
     */
    static RegressionDataset standardize(RegressionDataset data, ChannelNormalization inputs, double targetMean,
                                         double targetStd) {
        INDArray x = data.features();
        INDArray scaled = inputs.apply(x.reshape(x.size(0), x.size(1), 1, 1)).reshape(x.size(0), x.size(1));
        return new RegressionDataset(data.name(), scaled.castTo(DataType.FLOAT),
                data.targets().sub(targetMean).divi(targetStd).castTo(DataType.FLOAT));
    }

    /**
     * Whether a {@code .npy} file holds integers (classification targets).
     *
     * @param file the targets file
     * @return true for an integer dtype
     * @throws IOException when the file is missing or not a supported array
     */
    static boolean integerTargets(Path file) throws IOException {
        return !Npy.read(file).dataType().isFPType();
    }

    /**
     * Whether the first non-blank line of a table has a cell that is not a number (then it is a header).
     *
     * @param file      the table
     * @param delimiter the cell separator
     * @return true when the first line looks like a header
     * @throws IOException when the file cannot be read
     */
    static boolean firstLineHasText(Path file, char delimiter) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    String[] cells = line.replace("\uFEFF", "").split(Pattern.quote(String.valueOf(delimiter)), -1);
                    return Arrays.stream(cells).anyMatch(c -> !NUMBER.matcher(c).matches());
                }
            }
            return false;
        } catch (java.nio.charset.CharacterCodingException e) {
            return true;
        }
    }

    private static RegressionDataset readRegression(DataSource source, List<Path> files) throws IOException {
        if (source.format() == DataFormat.CSV) {
            return csv(source).read(files.get(0));
        }
        INDArray inputs = npy(files.get(0));
        INDArray targets = npy(files.get(1));
        checkRows(files, inputs, targets, "regression targets");
        return new RegressionDataset(files.get(0).getFileName().toString(),
                inputs.castTo(DataType.DOUBLE).reshape('c', inputs.size(0), inputs.length() / inputs.size(0)),
                targets.castTo(DataType.DOUBLE).reshape('c', targets.size(0), 1));
    }

    /**
     * @param numClasses the classes of the training set, or 0 to take the largest label + 1 (at least 2)
     */
    private static ImageDataset readClassification(DataSource source, List<Path> files, int numClasses)
            throws IOException {
        String name = files.get(0).getFileName().toString();
        INDArray images;
        double[] labels;
        Path labelFile = files.get(files.size() - 1);
        switch (source.format()) {
            case IDX -> {
                ImageDataset idx = new MnistReader(256).read(name, files.get(0), files.get(1));
                images = idx.images();
                labels = Arrays.stream(idx.labels()).asDoubleStream().toArray();
            }
            case NPY -> {
                INDArray inputs = npy(files.get(0));
                INDArray targets = npy(files.get(1));
                checkRows(files, inputs, targets, "class labels");
                long[] shape = inputs.shape();
                long n = shape[0];
                long[] nchw = switch (shape.length) {
                    case 2 -> new long[] {n, shape[1], 1, 1};
                    case 3 -> new long[] {n, 1, shape[1], shape[2]};
                    case 4 -> shape;
                    default -> throw new CorruptDataException(files.get(0), "inputs must be [N, D], [N, H, W] or "
                            + "[N, C, H, W], got shape " + Arrays.toString(shape));
                };
                images = inputs.castTo(DataType.FLOAT).reshape('c', nchw);
                labels = targets.castTo(DataType.DOUBLE).toDoubleVector();
            }
            default -> {
                RegressionDataset table = csv(source).read(files.get(0));
                INDArray x = table.features();
                images = x.castTo(DataType.FLOAT).reshape('c', x.size(0), x.size(1), 1, 1);
                labels = table.targets().toDoubleVector();
            }
        }
        int[] classes = new int[labels.length];
        int max = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] != Math.rint(labels[i])) {
                throw new CorruptDataException(labelFile, "class label of row " + i + " is " + labels[i]
                        + ", expected an integer >= 0 (use --task REGRESSION for real-valued targets)");
            }
            classes[i] = (int) labels[i];
            max = Math.max(max, classes[i]);
        }
        int k = numClasses > 0 ? numClasses : Math.max(2, max + 1);
        if (max >= k) {
            throw new CorruptDataException(labelFile, "class label " + max + " does not occur in the training data "
                    + "(classes 0.." + (k - 1) + ")");
        }
        return new ImageDataset(name, images, classes, k);
    }

    /** A .npy array whose values are all finite. */
    private static INDArray npy(Path file) throws IOException {
        INDArray array = Npy.read(file);
        if (array.dataType().isFPType() && !Tensors.allFinite(array)) {
            throw new CorruptDataException(file, "holds NaN or infinite values");
        }
        return array;
    }

    /**
     * Requires inputs with a row axis and features, and one target per input row.
     *
     * @param what what the targets are, for the message
     */
    private static void checkRows(List<Path> files, INDArray inputs, INDArray targets, String what)
            throws CorruptDataException {
        if (inputs.rank() < 2 || inputs.size(0) == 0) {
            throw new CorruptDataException(files.get(0), "inputs must be [N, ...] with N >= 1 rows and features, "
                    + "got shape " + Arrays.toString(inputs.shape()));
        }
        if (targets.rank() == 0 || targets.size(0) != inputs.size(0)) {
            throw new CorruptDataException(files.get(1), "holds " + (targets.rank() == 0 ? 0 : targets.size(0))
                    + " targets but " + files.get(0).getFileName() + " holds " + inputs.size(0) + " rows");
        }
        if (targets.length() != targets.size(0)) {
            throw new CorruptDataException(files.get(1), what + " must be one value per row, got shape "
                    + Arrays.toString(targets.shape()));
        }
    }

    private static CsvRegressionReader csv(DataSource source) {
        CsvRegressionReader.Builder b = CsvRegressionReader.builder().header(source.header())
                .delimiter(source.delimiter());
        String column = source.targetColumn();
        if (column != null) {
            if (column.matches("\\d+")) {
                b.targetColumn(Integer.parseInt(column));
            } else if (!source.header()) {
                throw new IllegalArgumentException("--target-column '" + column + "' is a name but the table has no "
                        + "header (give a 0-based index, or --header)");
            } else {
                b.targetColumn(column);
            }
        }
        return b.build();
    }

    private static List<Path> paths(List<String> files) {
        return files.stream().map(Path::of).toList();
    }

    private static <D extends Dataset<D>> D first(D data, Integer n) {
        if (n == null || n >= data.size()) {
            return data;
        }
        return data.subset(java.util.stream.IntStream.range(0, DataOptions.positive(n, "size")).toArray());
    }
}
