package io.kronlaplace.validation.report;

import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.DistributionShift;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SeededShuffle;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.metrics.Probabilities;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The evaluation sets of one experiment: the clean test set, its shifted copies and out-of-distribution sets, built
 * once and used for every method so all methods see identical inputs.
 *
 * <p>Shifts are applied to the raw images (rotation fills with black, noise is in raw pixel units); the optional
 * {@link ChannelNormalization} (fitted on the training split) is applied afterwards, as a network would see them.
 *
 * <pre>{@code
 * EvaluationSuite suite = EvaluationSuite.builder(test).normalization(norm)
 *         .rotations(15, 30, 45, 60).gaussianNoise(7, 0.05, 0.1, 0.2).outOfDistribution(oodImages).build();
 * EvaluationReport.Builder report = EvaluationReport.builder("CIFAR-10");
 * suite.evaluate("MAP", mapPredictor, report);
 * suite.evaluate("Laplace probit", probitPredictor, report);
 * }</pre>
 *
 * <p>Shifted copies of a large test set can be built from a seeded subset ({@link Builder#shiftSubset}), and a
 * predictive that yields several methods from one pass (probit and Monte-Carlo from one Jacobian pass) is evaluated
 * once for all of them ({@link #evaluate(List, MultiPredictor, EvaluationReport.Builder)}).
 */
public final class EvaluationSuite {
    /**
     * Images per predictor call unless {@link Builder#batchSize} says otherwise. The predictor's memory grows with
     * it: a GLM predictive ({@code GlmPredictive.probit}) back-propagates C vectors per image, so one call holds the
     * activations of C x batch rows; a batch of 256 on WRN-10-1 (C = 10) peaked at 4.35 GB, about 12 GB estimated
     * for WRN-16-4. 32 keeps a Wide ResNet's GLM predictive well within the command-line tool's default memory
     * limits; use 16 for WRN-16-4 or larger networks on an 8 GB machine. The batch size does not change the results.
     */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final ShiftedDataset clean;
    private final List<ShiftedDataset> shifted;
    private final List<ShiftedDataset> outOfDistribution;
    private final int batchSize;

    private EvaluationSuite(Builder b) {
        ChannelNormalization norm = b.normalization;
        this.clean = normalise(DistributionShift.clean(b.test), norm);
        ImageDataset shiftBase = b.shiftSubset < 0 || b.shiftSubset >= b.test.size() ? b.test
                : b.test.subset(Arrays.copyOf(SeededShuffle.permutation(b.test.size(), b.shiftSubsetSeed),
                        b.shiftSubset));
        List<ShiftedDataset> shifts = new ArrayList<>();
        DistributionShift.rotations(shiftBase, b.angles).forEach(s -> shifts.add(normalise(s, norm)));
        DistributionShift.gaussianNoise(shiftBase, b.noiseSeed, b.noiseStds)
                .forEach(s -> shifts.add(normalise(s, norm)));
        this.shifted = List.copyOf(shifts);
        List<ShiftedDataset> ood = new ArrayList<>();
        b.ood.forEach(o -> ood.add(normalise(DistributionShift.outOfDistribution(b.test, o), norm)));
        this.outOfDistribution = List.copyOf(ood);
        this.batchSize = b.batchSize;
    }

    /**
     * A builder for the suite around a clean (raw, unnormalised) test set.
     *
     * @param test the clean test set, raw (unnormalised) images
     * @return a new builder
     */
    public static Builder builder(ImageDataset test) {
        return new Builder(test);
    }

    /**
     * The clean test set (normalised when a normalisation was given).
     *
     * @return the clean test set, a shift of kind NONE and level 0
     */
    public ShiftedDataset clean() {
        return clean;
    }

    /**
     * The shifted sets: rotations by increasing order of addition, then noise levels.
     *
     * @return the shifted sets
     */
    public List<ShiftedDataset> shifted() {
        return shifted;
    }

    /**
     * The out-of-distribution sets.
     *
     * @return the out-of-distribution sets, in order of addition
     */
    public List<ShiftedDataset> outOfDistribution() {
        return outOfDistribution;
    }

    /**
     * Predicts every set with {@code predictor} in batches and adds to {@code report}: classification metrics on
     * the clean and each shifted set, and OOD detection of each out-of-distribution set against the clean set.
     *
     * @param method    the method's name in the report
     * @param predictor the method's predictive distribution
     * @param report    the report to add to
     */
    public void evaluate(String method, Predictor predictor, EvaluationReport.Builder report) {
        evaluate(List.of(method), images -> List.of(predictor.predict(images)), report);
    }

    /**
     * Several methods' predictive distributions from one pass over each batch, e.g. the probit and Monte-Carlo links
     * of one linearised predictive.
     */
    @FunctionalInterface
    public interface MultiPredictor {
        /**
         * Class probabilities of every method for a batch of images.
         *
         * @param images a batch {@code [B, C, H, W]}
         * @return one {@code [B, K]} array per method, in the order of the methods evaluated
         */
        List<INDArray> predict(INDArray images);
    }

    /**
     * Predicts every set once with {@code predictor} and adds each method's results to {@code report}, as
     * {@link #evaluate(String, Predictor, EvaluationReport.Builder)} does for one method.
     *
     * @param methods   the methods' names, in the order of the predictor's outputs; at least one, no duplicates
     * @param predictor gives one probability array per method for each batch
     * @param report    the report to add to
     * @throws IllegalArgumentException when there are no methods or a name repeats
     * @throws IllegalStateException    when the predictor returns a wrong number of arrays or a wrong shape
     */
    public void evaluate(List<String> methods, MultiPredictor predictor, EvaluationReport.Builder report) {
        if (methods.isEmpty() || new HashSet<>(methods).size() != methods.size()) {
            throw new IllegalArgumentException("need at least one method and distinct names, got " + methods);
        }
        List<double[][]> cleanProbabilities = predict(methods, predictor, clean.dataset());
        for (int m = 0; m < methods.size(); m++) {
            report.addClassification(methods.get(m), EvaluationSet.of(clean), cleanProbabilities.get(m),
                    clean.dataset().labels());
        }
        for (ShiftedDataset set : shifted) {
            List<double[][]> probabilities = predict(methods, predictor, set.dataset());
            for (int m = 0; m < methods.size(); m++) {
                report.addClassification(methods.get(m), EvaluationSet.of(set), probabilities.get(m),
                        set.dataset().labels());
            }
        }
        for (ShiftedDataset set : outOfDistribution) {
            List<double[][]> probabilities = predict(methods, predictor, set.dataset());
            for (int m = 0; m < methods.size(); m++) {
                report.addOod(methods.get(m), clean.name(), set.name(), cleanProbabilities.get(m),
                        probabilities.get(m));
            }
        }
    }

    private List<double[][]> predict(List<String> methods, MultiPredictor predictor, ImageDataset data) {
        List<List<double[]>> rows = new ArrayList<>();
        methods.forEach(m -> rows.add(new ArrayList<>(data.size())));
        for (ImageDataset batch : data.batchesInOrder(batchSize)) {
            List<INDArray> outputs = predictor.predict(batch.images());
            if (outputs.size() != methods.size()) {
                throw new IllegalStateException("predictor returned " + outputs.size() + " arrays for the "
                        + methods.size() + " methods " + methods);
            }
            for (int m = 0; m < methods.size(); m++) {
                INDArray probabilities = outputs.get(m);
                if (probabilities.rank() != 2 || probabilities.size(0) != batch.size()) {
                    throw new IllegalStateException("predictor returned shape "
                            + Arrays.toString(probabilities.shape()) + " for a batch of " + batch.size()
                            + " images of " + data.name() + "; expected [" + batch.size() + ", classes]");
                }
                rows.get(m).addAll(List.of(Probabilities.toMatrix(probabilities)));
            }
        }
        List<double[][]> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.toArray(new double[0][])));
        return out;
    }

    private static ShiftedDataset normalise(ShiftedDataset set, ChannelNormalization norm) {
        return norm == null ? set : new ShiftedDataset(set.kind(), set.level(), norm.apply(set.dataset()));
    }

    /** Builder of {@link EvaluationSuite}. */
    public static final class Builder {
        private final ImageDataset test;
        private ChannelNormalization normalization;
        private double[] angles = new double[0];
        private double[] noiseStds = new double[0];
        private long noiseSeed;
        private final List<ImageDataset> ood = new ArrayList<>();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int shiftSubset = -1;
        private long shiftSubsetSeed;

        private Builder(ImageDataset test) {
            this.test = test;
        }

        /**
         * Standardisation applied to every set after shifting (fit it on the training split).
         *
         * @param norm the per-channel standardisation
         * @return this builder
         */
        public Builder normalization(ChannelNormalization norm) {
            this.normalization = norm;
            return this;
        }

        /**
         * Rotated copies of the test set, one per angle in degrees.
         *
         * @param degrees the rotation angles, in degrees
         * @return this builder
         */
        public Builder rotations(double... degrees) {
            this.angles = degrees.clone();
            return this;
        }

        /**
         * Noisy copies of the test set, one per standard deviation (raw pixel units), seeded.
         *
         * @param seed seed of the first copy's noise
         * @param stds the noise standard deviations, in raw pixel units
         * @return this builder
         */
        public Builder gaussianNoise(long seed, double... stds) {
            this.noiseSeed = seed;
            this.noiseStds = stds.clone();
            return this;
        }

        /**
         * An out-of-distribution image set of the test set's image shape (raw, unnormalised).
         *
         * @param images the out-of-distribution images
         * @return this builder
         */
        public Builder outOfDistribution(ImageDataset images) {
            ood.add(images);
            return this;
        }

        /**
         * Builds the rotated and noisy sets from a seeded random subset of the test set instead of all of it (the
         * clean set stays whole), bounding the cost of shifts on a large test set.
         *
         * @param size number of test images to shift, at least 1 (the whole set when it has no more)
         * @param seed seed of the subset
         * @return this builder
         * @throws IllegalArgumentException when the size is below 1
         */
        public Builder shiftSubset(int size, long seed) {
            if (size < 1) {
                throw new IllegalArgumentException("shift subset size must be positive, got " + size);
            }
            this.shiftSubset = size;
            this.shiftSubsetSeed = seed;
            return this;
        }

        /**
         * Images per predictor call; the predictor's peak memory grows with it (see {@link #DEFAULT_BATCH_SIZE}).
         *
         * @param size images per call, &gt;= 1 (default {@value EvaluationSuite#DEFAULT_BATCH_SIZE})
         * @return this builder
         * @throws IllegalArgumentException when size &lt; 1
         */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be positive, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /**
         * Builds every shifted and out-of-distribution set now.
         *
         * @return the suite with every set ready to evaluate
         */
        public EvaluationSuite build() {
            return new EvaluationSuite(this);
        }
    }
}
