package io.kronlaplace.laplace;

import io.kronlaplace.curvature.FactorSums;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.nn.Network;
import java.io.Serial;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a K-FAC Laplace fit computes from one part of the training data, before anything is normalised: the raw factor
 * sums of every covered layer and the fit statistics. Parts computed independently (in other threads, processes or
 * machines) add up with {@link #plus} to the sums over all the data, and {@link #posterior} builds exactly the
 * posterior that {@link LaplacePosterior#fit} builds from the same batches in one pass, up to the order of float64
 * additions (see docs/spark.md, section Exactness). Immutable and {@link Serializable}.
 *
 * @param factors    raw factor sums keyed by covered layer path, in layer order
 * @param statistics examples, outputs and summed data term of the same batches
 */
public record CurvatureSums(Map<String, FactorSums> factors, FitStatistics statistics) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Validates and copies the map (keeping its order).
     *
     * @param factors    raw factor sums keyed by covered layer path, at least one layer
     * @param statistics examples, outputs and summed data term of the same batches
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when there is no layer
     */
    public CurvatureSums {
        Objects.requireNonNull(factors, "factors");
        Objects.requireNonNull(statistics, "statistics");
        if (factors.isEmpty()) {
            throw new IllegalArgumentException("curvature sums need at least one layer");
        }
        factors = Collections.unmodifiableMap(new LinkedHashMap<>(factors));
    }

    /**
     * Runs the curvature pass of a KRON fit over some consecutive batches of a larger pass, at the network's current
     * weights: the same forward passes, statistics and factor accumulation as {@link LaplacePosterior#fit}, with the
     * Monte-Carlo labels of each batch seeded by its index in the whole pass.
     *
     * @param network         the network at the MAP weights
     * @param options         KRON options (subset, likelihood, flavour, curvature type, samples, shared rows)
     * @param batches         consecutive batches, at least one
     * @param firstBatchIndex index of the first of them in the whole pass, >= 0
     * @return the raw factor sums and fit statistics of these batches
     * @throws IllegalArgumentException for options that are not KRON, no batches, bad shapes, NaN inputs or invalid
     *                                  targets (the same errors as {@link LaplacePosterior#fit})
     */
    public static CurvatureSums of(Network network, LaplaceOptions options, List<Batch> batches,
                                   long firstBatchIndex) {
        return of(network, options, batches, firstBatchIndex, 0);
    }

    /**
     * As {@link #of(Network, LaplaceOptions, List, long)}, with the Monte-Carlo labels of batch k of the whole pass
     * seeded by {@code KfacEstimator.batchSeed(labelSeed, k)}: the labels a single estimator with seed
     * {@code labelSeed} draws for its k-th batch (as the curvature pass of online training does).
     *
     * @param network         the network at the MAP weights
     * @param options         KRON options (subset, likelihood, flavour, curvature type, samples, shared rows)
     * @param batches         consecutive batches, at least one
     * @param firstBatchIndex index of the first of them in the whole pass, >= 0
     * @param labelSeed       the seed of the whole pass's label sampling
     *                        ({@link #of(Network, LaplaceOptions, List, long)} uses 0, as {@link LaplacePosterior#fit}
     *                        does)
     * @return the raw factor sums and fit statistics of these batches
     * @throws IllegalArgumentException for options that are not KRON, no batches, bad shapes, NaN inputs or invalid
     *                                  targets (the same errors as {@link LaplacePosterior#fit})
     */
    public static CurvatureSums of(Network network, LaplaceOptions options, List<Batch> batches,
                                   long firstBatchIndex, long labelSeed) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(batches, "batches");
        KronLaplace.requireKron(options);
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("fit needs at least one mini-batch");
        }
        CoveredWeights covered = LaplacePosterior.cover(network, options);
        KfacEstimator estimator = new KfacEstimator(covered.curvatureNetwork(),
                options.likelihood().curvatureLikelihood(), options.kfacOptions(labelSeed));
        FitStatistics statistics = null;
        long index = firstBatchIndex;
        for (Batch b : batches) {
            Objects.requireNonNull(b, "batch");
            var in = covered.curvatureInputs(b.inputs());
            FitStatistics batch = covered.fitStatistics(options, in, b.targets());
            statistics = statistics == null ? batch : statistics.plus(batch);
            estimator.accumulate(in, b.targets(), index++);
        }
        estimator.releaseWorkspace();
        return new CurvatureSums(estimator.sums(), statistics);
    }

    /**
     * The sums of this part and another, disjoint part of the data.
     *
     * @param other the sums of another part of the data, over the same layers
     * @return the sums over both parts
     * @throws IllegalArgumentException when the parts cover other layers or have other output counts
     */
    public CurvatureSums plus(CurvatureSums other) {
        if (!factors.keySet().equals(other.factors.keySet())) {
            throw new IllegalArgumentException("cannot add curvature sums of layers " + other.factors.keySet()
                    + " to those of layers " + factors.keySet());
        }
        Map<String, FactorSums> sum = new LinkedHashMap<>();
        factors.forEach((path, f) -> sum.put(path, f.plus(other.factors.get(path))));
        return new CurvatureSums(sum, statistics.plus(other.statistics));
    }

    /**
     * The fitted KRON posterior of these sums at the network's current weights (the MAP), with the options' initial
     * hyperparameters: the factors normalised once and handed to {@link KronLaplace#fromFactors}.
     *
     * @param network the network at the MAP weights the sums were computed at
     * @param options KRON options with the initial hyperparameters
     * @return the fitted posterior
     * @throws IllegalArgumentException when the options are not KRON or the sums do not fit the network
     */
    public KronLaplace posterior(Network network, LaplaceOptions options) {
        Objects.requireNonNull(options, "options");
        Map<String, KronFactors> normalised = normalised(options.device());
        try {
            return KronLaplace.fromFactors(network, options, normalised, statistics);
        } finally {
            KronFactors.closeAll(normalised.values());
        }
    }

    /**
     * The factors of these sums as a single-machine pass returns them ({@code KfacEstimator.factors()}): A divided
     * by its count once, both factors mirrored from their upper triangles, in layer order.
     *
     * @param device the compute device that mirrors them, a name known to {@link ComputeDevices}
     * @return the normalised factors keyed by covered layer path, in layer order
     */
    public Map<String, KronFactors> normalised(String device) {
        ComputeKernels kernels = ComputeDevices.named(device);
        Map<String, KronFactors> out = new LinkedHashMap<>();
        factors.forEach((path, f) -> out.put(path, f.factors(kernels)));
        return Collections.unmodifiableMap(out);
    }
}
