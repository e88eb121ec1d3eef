package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeDevices;
import java.util.Objects;

/**
 * Options of a curvature pass.
 *
 * @param flavour              K-FAC flavour for weight-sharing axes (default {@link KfacFlavour#REDUCE})
 * @param curvatureType        exact GGN, MC Fisher or empirical Fisher (default {@link CurvatureType#GGN})
 * @param mcSamples            sampled labels per example for {@link CurvatureType#MC_FISHER} (default 1)
 * @param sharedRowsPerExample S: S consecutive batch rows are augmented copies of one example (default 1). The
 *                             likelihood sees the mean of their S outputs, so targets have N / S rows, and the S
 *                             copies form a weight-sharing axis together with the positions R.
 * @param seed                 seed of the label sampling for {@link CurvatureType#MC_FISHER}
 * @param device               compute device of the factor updates and eigendecompositions, a name known to
 *                             {@link ComputeDevices} (default {@link ComputeDevices#configuredDevice()}: the
 *                             {@value ComputeDevices#PROPERTY} system property, else {@value ComputeDevices#CPU});
 *                             stored trimmed and in lower case
 */
public record KfacOptions(KfacFlavour flavour, CurvatureType curvatureType, int mcSamples, int sharedRowsPerExample,
                          long seed, String device) {

    /**
     * Validates the options and normalises the device name.
     *
     * @param flavour              K-FAC flavour for weight-sharing axes; not null
     * @param curvatureType        exact GGN, MC Fisher or empirical Fisher; not null
     * @param mcSamples            sampled labels per example for the MC Fisher, &gt;= 1
     * @param sharedRowsPerExample consecutive batch rows per example, &gt;= 1
     * @param seed                 seed of the MC Fisher's label sampling; any value
     * @param device               compute device name known to {@link ComputeDevices}, any case and surrounding
     *                             blanks
     * @throws NullPointerException     when the flavour or the curvature type is null
     * @throws IllegalArgumentException when mcSamples or sharedRowsPerExample is below 1, or the device name is null,
     *                                  blank or unknown
     */
    public KfacOptions {
        Objects.requireNonNull(flavour, "flavour");
        Objects.requireNonNull(curvatureType, "curvatureType");
        if (mcSamples < 1) {
            throw new IllegalArgumentException("mcSamples must be >= 1, got " + mcSamples);
        }
        if (sharedRowsPerExample < 1) {
            throw new IllegalArgumentException("sharedRowsPerExample must be >= 1, got " + sharedRowsPerExample);
        }
        device = ComputeDevices.requireKnown(device);
    }

    /**
     * The default options.
     *
     * @return REDUCE, exact GGN, one MC sample, one row per example, seed 0 and the configured device
     */
    public static KfacOptions defaults() {
        return builder().build();
    }

    /**
     * A builder to change some of the defaults.
     *
     * @return a new builder holding the values of {@link #defaults()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder to derive other options from these.
     *
     * @return a new builder holding every value of these options
     */
    public Builder toBuilder() {
        return new Builder().flavour(flavour).curvatureType(curvatureType).mcSamples(mcSamples)
                .sharedRowsPerExample(sharedRowsPerExample).seed(seed).device(device);
    }

    /** Builder of {@link KfacOptions}; unset fields keep their defaults. */
    public static final class Builder {
        private KfacFlavour flavour = KfacFlavour.REDUCE;
        private CurvatureType curvatureType = CurvatureType.GGN;
        private int mcSamples = 1;
        private int sharedRowsPerExample = 1;
        private long seed;
        private String device = ComputeDevices.configuredDevice();

        private Builder() {
        }

        /**
         * Sets the K-FAC flavour.
         *
         * @param value how weight-sharing axes enter the factors; checked (not null) by {@link #build()}
         * @return this builder
         */
        public Builder flavour(KfacFlavour value) {
            this.flavour = value;
            return this;
        }

        /**
         * Sets the curvature type.
         *
         * @param value exact GGN, MC Fisher or empirical Fisher; checked (not null) by {@link #build()}
         * @return this builder
         */
        public Builder curvatureType(CurvatureType value) {
            this.curvatureType = value;
            return this;
        }

        /**
         * Sets the number of sampled labels per example for the MC Fisher.
         *
         * @param value samples per example, &gt;= 1 (checked by {@link #build()}); ignored by the other types
         * @return this builder
         */
        public Builder mcSamples(int value) {
            this.mcSamples = value;
            return this;
        }

        /**
         * Sets how many consecutive batch rows are augmented copies of one example.
         *
         * @param value rows per example S, &gt;= 1 (checked by {@link #build()}); batches must have a multiple of S
         *              rows
         * @return this builder
         */
        public Builder sharedRowsPerExample(int value) {
            this.sharedRowsPerExample = value;
            return this;
        }

        /**
         * Sets the seed of the MC Fisher's label sampling.
         *
         * @param value any seed; equal seeds and batches give equal factors
         * @return this builder
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Sets the compute device of the factor updates and eigendecompositions.
         *
         * @param value device name, e.g. {@value ComputeDevices#CPU} or {@value ComputeDevices#CUDA}, in any case;
         *              checked by {@link #build()}
         * @return this builder
         */
        public Builder device(String value) {
            this.device = value;
            return this;
        }

        /**
         * The options with the values set so far.
         *
         * @return new options
         * @throws NullPointerException     when the flavour or the curvature type was set to null
         * @throws IllegalArgumentException when a count is below 1 or the device name is blank or unknown
         */
        public KfacOptions build() {
            return new KfacOptions(flavour, curvatureType, mcSamples, sharedRowsPerExample, seed, device);
        }
    }
}
