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

    /** Validates the options and normalises the device name. */
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

    /** The defaults: REDUCE, exact GGN, one MC sample, no shared rows, seed 0, the configured device. */
    public static KfacOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults of {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
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

        /** K-FAC flavour. */
        public Builder flavour(KfacFlavour value) {
            this.flavour = value;
            return this;
        }

        /** Curvature type. */
        public Builder curvatureType(CurvatureType value) {
            this.curvatureType = value;
            return this;
        }

        /** Sampled labels per example for the MC Fisher (>= 1). */
        public Builder mcSamples(int value) {
            this.mcSamples = value;
            return this;
        }

        /** Consecutive batch rows per example (>= 1). */
        public Builder sharedRowsPerExample(int value) {
            this.sharedRowsPerExample = value;
            return this;
        }

        /** Seed of the label sampling. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Compute device by name, e.g. {@value ComputeDevices#CPU} or {@value ComputeDevices#CUDA}. */
        public Builder device(String value) {
            this.device = value;
            return this;
        }

        /** The options; validates every field. */
        public KfacOptions build() {
            return new KfacOptions(flavour, curvatureType, mcSamples, sharedRowsPerExample, seed, device);
        }
    }
}
