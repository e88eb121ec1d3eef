package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.Cifar10Reader;
import io.kronlaplace.validation.data.DistributionShift;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where the images come from: CIFAR-10 binary files, or the built-in synthetic image set; the sizes and the seed also
 * apply to graphs ({@link GraphDataOptions}).
 */
public final class DataOptions {
    private static final String CIFAR_SOURCE = "source=cifar10";

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory with the CIFAR-10 binary files "
            + "(data_batch_1.bin ... data_batch_5.bin, test_batch.bin). Without it the built-in synthetic 32x32 "
            + "image set is used.")
    Path dataDir;

    @Option(names = "--train-size", paramLabel = "N", description = "Training images (or graphs): synthetic ones to "
            + "generate, or the first N CIFAR-10 training images (default: 1000 synthetic, all 50000 CIFAR-10).")
    Integer trainSize;

    @Option(names = "--test-size", paramLabel = "N", description = "Test images or graphs (default: 200 synthetic, "
            + "all 10000 CIFAR-10).")
    Integer testSize;

    @Option(names = "--synthetic-variant", paramLabel = "VARIANT", defaultValue = "PATTERNS",
            description = "Synthetic labelling: PATTERNS (labels invariant to rotation, patterns at every "
                    + "orientation), UPRIGHT_PATTERNS (the same classes, patterns within 15 degrees of upright: "
                    + "rotated test images are new to the network) or ORIENTED_GRATINGS (rotation changes the "
                    + "label). Default: ${DEFAULT-VALUE}.")
    SyntheticImages.Variant variant;

    @Option(names = "--data-seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the synthetic images or graphs, and of the OGB test split (default: "
                    + "${DEFAULT-VALUE}).")
    long dataSeed;

    /**
     * Whether CIFAR-10 files are used.
     *
     * @return true when {@code --data-dir} is given, false for the synthetic images
     */
    public boolean cifar() {
        return dataDir != null;
    }

    /**
     * Checks the sizes before any data are read, so a bad value is reported at once.
     *
     * @throws IllegalArgumentException when {@code --train-size} or {@code --test-size} is below 1
     */
    void validate() {
        if (trainSize != null) {
            positive(trainSize, "--train-size");
        }
        if (testSize != null) {
            positive(testSize, "--test-size");
        }
    }

    /**
     * Where the training images come from, as {@code ; }-separated {@code name=value} items: what a checkpoint compares
     * on resume (see {@code OnlineMarglikOptions.dataSource}).
     *
     * @return {@code source=cifar10} with the directory and size, or {@code source=synthetic} with the variant, size
     *         and seed
     */
    String source() {
        String size = "; --train-size=" + (trainSize == null ? "default" : trainSize.toString());
        if (cifar()) {
            return CIFAR_SOURCE + "; --data-dir=" + dataDir.toAbsolutePath().normalize() + size;
        }
        return "source=synthetic; --synthetic-variant=" + variant + size + "; --data-seed=" + dataSeed;
    }

    /** Loaded, not yet normalised data: train, test and an out-of-distribution set. */
    public record Loaded(ImageDataset train, ImageDataset test, ImageDataset ood) {
    }

    /**
     * Reads or generates the data: the first {@code --train-size} and {@code --test-size} CIFAR-10 images, or that
     * many synthetic images, with a smooth-noise set as the out-of-distribution set.
     *
     * @return the training, test and out-of-distribution images, not normalised
     * @throws IllegalArgumentException when {@code --train-size} or {@code --test-size} is below 1
     * @throws NoSuchFileException      when the data directory does not exist
     * @throws FileSystemException      when the data directory is a file
     * @throws IOException              when the CIFAR-10 files cannot be read or are damaged
     */
    public Loaded load() throws IOException {
        if (dataDir != null) {
            if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
                throw new FileSystemException(dataDir.toString(), null, "a file, not the CIFAR-10 data directory");
            }
            if (!Files.isDirectory(dataDir)) {
                throw new NoSuchFileException(dataDir.toString(), null, "CIFAR-10 data directory does not exist");
            }
            Cifar10Reader reader = new Cifar10Reader();
            ImageDataset train = first(reader.readTrain(dataDir), trainSize);
            ImageDataset test = first(reader.readTest(dataDir), testSize);
            return new Loaded(train, test, SyntheticImages.smoothNoise("smooth-noise", Math.min(test.size(), 2000),
                    dataSeed + 2));
        }
        int n = trainSize == null ? 1000 : positive(trainSize, "--train-size");
        int m = testSize == null ? 200 : positive(testSize, "--test-size");
        SyntheticImages gen = new SyntheticImages(variant, 0.1);
        return new Loaded(gen.generate("synthetic-train", n, dataSeed), gen.generate("synthetic-test", m, dataSeed + 1),
                SyntheticImages.smoothNoise("smooth-noise", m, dataSeed + 2));
    }

    /**
     * The distribution shifts every evaluation reports: rotations by 30 and 60 degrees and Gaussian pixel noise of
     * standard deviation 0.2.
     *
     * @param test the raw (not normalised) test images; the noise is in their pixel units
     * @param seed seed of the noise
     * @return the shifted copies of the test set, rotations first
     */
    public static List<ShiftedDataset> shifts(ImageDataset test, long seed) {
        List<ShiftedDataset> out = new ArrayList<>(DistributionShift.rotations(test, 30, 60));
        out.addAll(DistributionShift.gaussianNoise(test, seed, 0.2));
        return out;
    }

    /**
     * Applies a normalisation to shifted sets, after the shifts were made on the raw images.
     *
     * @param shifts the shifted sets of raw images
     * @param norm   the training set's per-channel normalisation
     * @return new sets of the same kinds and levels with normalised images, in the same order
     */
    public static List<ShiftedDataset> normalize(List<ShiftedDataset> shifts, ChannelNormalization norm) {
        List<ShiftedDataset> out = new ArrayList<>();
        for (ShiftedDataset s : shifts) {
            out.add(new ShiftedDataset(s.kind(), s.level(), norm.apply(s.dataset())));
        }
        return out;
    }

    private static ImageDataset first(ImageDataset data, Integer n) {
        if (n == null || n >= data.size()) {
            return data;
        }
        int[] idx = new int[positive(n, "size")];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return data.subset(idx);
    }

    /** {@code n}, or an exception naming the option when it is below 1. */
    static int positive(int n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + n);
        }
        return n;
    }
}
