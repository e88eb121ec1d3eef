package io.kronlaplace.validation.report;

import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.DistributionShift;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.metrics.Probabilities;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 */
public final class EvaluationSuite {
    /**
     * Default images per predictor call: small enough that a Laplace GLM predictive of a Wide ResNet stays well within
     * the command-line tool's default memory limits (see {@link Builder#batchSize}).
     */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final ShiftedDataset clean;
    private final List<ShiftedDataset> shifted;
    private final List<ShiftedDataset> outOfDistribution;
    private final int batchSize;

    private EvaluationSuite(Builder b) {
        ChannelNormalization norm = b.normalization;
        this.clean = normalise(DistributionShift.clean(b.test), norm);
        List<ShiftedDataset> shifts = new ArrayList<>();
        DistributionShift.rotations(b.test, b.angles).forEach(s -> shifts.add(normalise(s, norm)));
        DistributionShift.gaussianNoise(b.test, b.noiseSeed, b.noiseStds).forEach(s -> shifts.add(normalise(s, norm)));
        this.shifted = List.copyOf(shifts);
        List<ShiftedDataset> ood = new ArrayList<>();
        b.ood.forEach(o -> ood.add(normalise(DistributionShift.outOfDistribution(b.test, o), norm)));
        this.outOfDistribution = List.copyOf(ood);
        this.batchSize = b.batchSize;
    }

    /** A builder for the suite around a clean (raw, unnormalised) test set. */
    public static Builder builder(ImageDataset test) {
        return new Builder(test);
    }

    /** The clean test set (normalised when a normalisation was given). */
    public ShiftedDataset clean() {
        return clean;
    }

    /** The shifted sets: rotations by increasing order of addition, then noise levels. */
    public List<ShiftedDataset> shifted() {
        return shifted;
    }

    /** The out-of-distribution sets. */
    public List<ShiftedDataset> outOfDistribution() {
        return outOfDistribution;
    }

    /**
     * Predicts every set with {@code predictor} in batches and adds to {@code report}: classification metrics on
     * the clean and each shifted set, and OOD detection of each out-of-distribution set against the clean set.
     */
    public void evaluate(String method, Predictor predictor, EvaluationReport.Builder report) {
        double[][] cleanProbabilities = predict(predictor, clean.dataset());
        report.addClassification(method, EvaluationSet.of(clean), cleanProbabilities, clean.dataset().labels());
        for (ShiftedDataset set : shifted) {
            report.addClassification(method, EvaluationSet.of(set), predict(predictor, set.dataset()),
                    set.dataset().labels());
        }
        for (ShiftedDataset set : outOfDistribution) {
            report.addOod(method, clean.name(), set.name(), cleanProbabilities, predict(predictor, set.dataset()));
        }
    }

    private double[][] predict(Predictor predictor, ImageDataset data) {
        List<double[]> rows = new ArrayList<>(data.size());
        for (ImageDataset batch : data.batchesInOrder(batchSize)) {
            INDArray probabilities = predictor.predict(batch.images());
            if (probabilities.rank() != 2 || probabilities.size(0) != batch.size()) {
                throw new IllegalStateException("predictor returned shape "
                        + Arrays.toString(probabilities.shape()) + " for a batch of " + batch.size()
                        + " images of " + data.name() + "; expected [" + batch.size() + ", classes]");
            }
            rows.addAll(List.of(Probabilities.toMatrix(probabilities)));
        }
        return rows.toArray(new double[0][]);
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

        private Builder(ImageDataset test) {
            this.test = test;
        }

        /** Standardisation applied to every set after shifting (fit it on the training split). */
        public Builder normalization(ChannelNormalization norm) {
            this.normalization = norm;
            return this;
        }

        /** Rotated copies of the test set, one per angle in degrees. */
        public Builder rotations(double... degrees) {
            this.angles = degrees.clone();
            return this;
        }

        /** Noisy copies of the test set, one per standard deviation (raw pixel units), seeded. */
        public Builder gaussianNoise(long seed, double... stds) {
            this.noiseSeed = seed;
            this.noiseStds = stds.clone();
            return this;
        }

        /** An out-of-distribution image set of the test set's image shape (raw, unnormalised). */
        public Builder outOfDistribution(ImageDataset images) {
            ood.add(images);
            return this;
        }

        /**
         * Images per predictor call (default {@value EvaluationSuite#DEFAULT_BATCH_SIZE}). The memory of a Laplace
         * GLM predictive grows linearly with it (one Jacobian per image and class): 256 images of WRN-10-1 through
         * the probit predictive took 4.35 GB, so larger batches need a correspondingly larger memory limit.
         *
         * @param size images per call, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code size} is below 1
         */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be positive, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /** Builds every shifted and out-of-distribution set now. */
        public EvaluationSuite build() {
            return new EvaluationSuite(this);
        }
    }
}
