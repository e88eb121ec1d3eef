package io.kronlaplace.laplace;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.linalg.ComputeDevices;
import java.util.Objects;

/**
 * Everything that defines a Laplace posterior besides the network: which weights, which curvature structure, the
 * likelihood, initial hyperparameters, the K-FAC flavour and the compute device. Build with {@link #builder()}.
 *
 * @param subset      which weights are covered
 * @param structure   the curvature structure
 * @param likelihood  classification (softmax) or regression (Gaussian)
 * @param prior       initial prior precision
 * @param sigma       observation noise standard deviation (regression; must be 1 for classification)
 * @param temperature posterior temperature T > 0 (P = H / (sigma^2 T) + P0)
 * @param flavour     K-FAC flavour for {@link HessianStructure#KRON} (REDUCE by default)
 * @param fitMode     what {@code fit} does with earlier fits by default
 * @param curvatureType        the curvature K-FAC estimates for {@link HessianStructure#KRON}: exact GGN (default),
 *                             Monte Carlo Fisher or empirical Fisher; DIAG and FULL compute the exact GGN only
 * @param mcSamples            sampled labels per example of the Monte Carlo Fisher, >= 1 (default 1)
 * @param sharedRowsPerExample S >= 1 (default 1): every S consecutive rows of a batch's inputs are augmented copies of
 *                             one example sharing its target (the invariant model, whose output is the mean of the S
 *                             copies' outputs); KRON only
 * @param device               compute device of the curvature kernels, a name known to {@link ComputeDevices}
 *                             (default {@link ComputeDevices#configuredDevice()}); stored trimmed and in lower case
 * @param subnetwork           the parameters of the {@link SubsetOfWeights#SUBNETWORK} subset (required there, null
 *                             for every other subset)
 */
public record LaplaceOptions(SubsetOfWeights subset, HessianStructure structure, LikelihoodType likelihood,
                             PriorPrecision prior, double sigma, double temperature,
                             io.kronlaplace.curvature.KfacFlavour flavour, FitMode fitMode,
                             CurvatureType curvatureType, int mcSamples, int sharedRowsPerExample,
                             String device, Subnetwork subnetwork) implements java.io.Serializable {

    /**
     * Validates the options.
     *
     * @param subset               which weights are covered; {@link SubsetOfWeights#SUBNETWORK} needs
     *                             {@code subnetwork}
     * @param structure            the curvature structure
     * @param likelihood           classification (softmax) or regression (Gaussian)
     * @param prior                initial prior precision
     * @param sigma                observation noise standard deviation, > 0 (regression; exactly 1 for classification)
     * @param temperature          posterior temperature T, > 0
     * @param flavour              K-FAC flavour for {@link HessianStructure#KRON}
     * @param fitMode              what {@code fit} does with earlier fits by default
     * @param curvatureType        the curvature K-FAC estimates; anything but the exact GGN needs KRON
     * @param mcSamples            sampled labels per example of the Monte Carlo Fisher, >= 1
     * @param sharedRowsPerExample augmented copies per example in every batch, >= 1 (above 1 needs KRON)
     * @param device               compute device name known to {@link ComputeDevices}; stored trimmed and in lower
     *                             case
     * @param subnetwork           the parameters of the {@link SubsetOfWeights#SUBNETWORK} subset, null for every other
     *                             subset
     * @throws NullPointerException     when a required option is null
     * @throws IllegalArgumentException when an option is out of range or options contradict each other
     */
    public LaplaceOptions {
        Objects.requireNonNull(subset, "subset");
        Objects.requireNonNull(structure, "structure");
        Objects.requireNonNull(likelihood, "likelihood");
        Objects.requireNonNull(prior, "prior");
        Objects.requireNonNull(flavour, "flavour");
        Objects.requireNonNull(fitMode, "fitMode");
        Hyperparameters.requireSigma(likelihood, sigma);
        Hyperparameters.requirePositive("temperature", temperature);
        device = ComputeDevices.requireKnown(device);
        Objects.requireNonNull(curvatureType, "curvatureType");
        if (mcSamples < 1) {
            throw new IllegalArgumentException("MC samples must be >= 1, got " + mcSamples);
        }
        if (sharedRowsPerExample < 1) {
            throw new IllegalArgumentException("shared rows per example must be >= 1, got " + sharedRowsPerExample);
        }
        if (structure != HessianStructure.KRON && curvatureType != CurvatureType.GGN) {
            throw new IllegalArgumentException(structure + " posteriors compute the exact GGN; curvature type "
                    + curvatureType + " is available for KRON only");
        }
        if (structure != HessianStructure.KRON && sharedRowsPerExample != 1) {
            throw new IllegalArgumentException(structure + " posteriors take one row per example; "
                    + sharedRowsPerExample + " shared rows per example (the invariant model) need KRON");
        }
        if (subset == SubsetOfWeights.SUBNETWORK) {
            if (subnetwork == null) {
                throw new IllegalArgumentException("the SUBNETWORK subset needs the subnetwork's parameter indices");
            }
            if (structure != HessianStructure.FULL) {
                throw new IllegalArgumentException("the SUBNETWORK subset takes the FULL Hessian structure, got "
                        + structure);
            }
        } else if (subnetwork != null) {
            throw new IllegalArgumentException("subnetwork parameter indices are given, but the subset is " + subset
                    + " (use SUBNETWORK)");
        }
    }

    /**
     * The K-FAC estimator settings of these options: flavour, curvature type, MC samples and shared rows.
     *
     * @param seed seed of the label sampling of the Monte Carlo Fisher
     * @return the options of the K-FAC estimator that computes this posterior's KRON curvature
     */
    public io.kronlaplace.curvature.KfacOptions kfacOptions(long seed) {
        return io.kronlaplace.curvature.KfacOptions.builder().flavour(flavour).curvatureType(curvatureType)
                .mcSamples(mcSamples).sharedRowsPerExample(sharedRowsPerExample).seed(seed).device(device).build();
    }

    /**
     * A builder with the defaults listed on {@link Builder}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builder with defaults: LAST_LAYER, KRON, CLASSIFICATION, scalar prior 1, sigma 1, T 1, REDUCE, REPLACE, exact
     * GGN, one MC sample, one row per example, the configured device, no subnetwork. The last layer with K-FAC is the measured
     * recommendation for post-hoc uncertainty on a trained classifier (with the prior tuned by the marginal
     * likelihood and the Monte-Carlo link; see docs/recipes.md, section The recommended recipe); covering all weights
     * takes {@code subset(SubsetOfWeights.ALL)}.
     */
    public static final class Builder {
        private SubsetOfWeights subset = SubsetOfWeights.LAST_LAYER;
        private HessianStructure structure = HessianStructure.KRON;
        private LikelihoodType likelihood = LikelihoodType.CLASSIFICATION;
        private PriorPrecision prior = PriorPrecision.scalar(1.0);
        private double sigma = 1.0;
        private double temperature = 1.0;
        private io.kronlaplace.curvature.KfacFlavour flavour = io.kronlaplace.curvature.KfacFlavour.REDUCE;
        private FitMode fitMode = FitMode.REPLACE;
        private CurvatureType curvatureType = CurvatureType.GGN;
        private int mcSamples = 1;
        private int sharedRowsPerExample = 1;
        private String device = ComputeDevices.configuredDevice();
        private Subnetwork subnetwork;

        /**
         * Which weights are covered (default LAST_LAYER).
         *
         * @param v the covered weights
         * @return this builder
         */
        public Builder subset(SubsetOfWeights v) {
            subset = v;
            return this;
        }

        /**
         * The curvature structure (default KRON).
         *
         * @param v the curvature structure
         * @return this builder
         */
        public Builder structure(HessianStructure v) {
            structure = v;
            return this;
        }

        /**
         * Classification or regression (default CLASSIFICATION).
         *
         * @param v classification (softmax) or regression (Gaussian)
         * @return this builder
         */
        public Builder likelihood(LikelihoodType v) {
            likelihood = v;
            return this;
        }

        /**
         * Initial prior precision (default scalar 1).
         *
         * @param v the initial prior precision
         * @return this builder
         */
        public Builder prior(PriorPrecision v) {
            prior = v;
            return this;
        }

        /**
         * Observation noise standard deviation, regression only (default 1).
         *
         * @param v the observation noise standard deviation, > 0 (exactly 1 for classification)
         * @return this builder
         */
        public Builder sigma(double v) {
            sigma = v;
            return this;
        }

        /**
         * Posterior temperature T (default 1).
         *
         * @param v the posterior temperature T, > 0
         * @return this builder
         */
        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        /**
         * K-FAC flavour for KRON (default REDUCE).
         *
         * @param v the K-FAC flavour
         * @return this builder
         */
        public Builder flavour(io.kronlaplace.curvature.KfacFlavour v) {
            flavour = v;
            return this;
        }

        /**
         * Default behaviour of repeated fits (default REPLACE).
         *
         * @param v what {@code fit} does with earlier fits by default
         * @return this builder
         */
        public Builder fitMode(FitMode v) {
            fitMode = v;
            return this;
        }

        /**
         * Compute device by name, e.g. {@value ComputeDevices#CPU} (default: the configured device).
         *
         * @param v the compute device name, known to {@link ComputeDevices}
         * @return this builder
         */
        public Builder device(String v) {
            device = v;
            return this;
        }

        /**
         * The curvature K-FAC estimates (default exact GGN).
         *
         * @param v the curvature type; anything but the exact GGN needs KRON
         * @return this builder
         */
        public Builder curvatureType(CurvatureType v) {
            curvatureType = v;
            return this;
        }

        /**
         * Sampled labels per example of the Monte Carlo Fisher (default 1).
         *
         * @param v the number of sampled labels per example, >= 1
         * @return this builder
         */
        public Builder mcSamples(int v) {
            mcSamples = v;
            return this;
        }

        /**
         * S augmented copies per example in every batch (default 1: no invariant model).
         *
         * @param v the number S of consecutive rows sharing one example and target, >= 1
         * @return this builder
         */
        public Builder sharedRowsPerExample(int v) {
            sharedRowsPerExample = v;
            return this;
        }

        /**
         * The parameters of the {@link SubsetOfWeights#SUBNETWORK} subset (default none).
         *
         * @param v the chosen parameters, or null
         * @return this builder
         */
        public Builder subnetwork(Subnetwork v) {
            subnetwork = v;
            return this;
        }

        /**
         * The options; validates every field.
         *
         * @return the validated options
         * @throws NullPointerException     when a required option is null
         * @throws IllegalArgumentException when an option is out of range or options contradict each other
         */
        public LaplaceOptions build() {
            return new LaplaceOptions(subset, structure, likelihood, prior, sigma, temperature, flavour, fitMode,
                    curvatureType, mcSamples, sharedRowsPerExample, device, subnetwork);
        }
    }
}
