package io.kronlaplace.laplace;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.SpectralSums;
import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.GradientTap;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.nn.WeightLayer;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A Laplace approximation N(theta*, P^-1) of the posterior over a subset of a network's weights, with posterior
 * precision {@code P = H / (sigma^2 T) + P0} (H the GGN at the MAP theta*, P0 = diag(prior precisions)).
 *
 * <p>Life cycle: construct through {@link Laplace#create}, {@link #fit} at the MAP weights, then query the
 * {@link #marginalLikelihood() log marginal likelihood and its hyper-gradients}, change hyperparameters (cheap: the
 * curvature is decomposed once per fit) and predict ({@link #functionalPrediction}, {@link #sampleWeights},
 * {@code io.kronlaplace.laplace.predictive}). One subclass per curvature structure.
 *
 * <p>Not thread-safe: fitting and prediction run the network's forward and backward passes.
 */
public abstract sealed class LaplacePosterior permits KronLaplace, DiagLaplace, FullLaplace {
    /**
     * Id of the {@link StepWorkspace} that holds one mini-batch's temporaries of {@link #fit} (the forward pass and
     * the curvature's products), reused batch after batch and freed when the fit ends.
     */
    private static final String FIT_WORKSPACE = "laplace-fit";
    /**
     * Id of the {@link StepWorkspace} that holds one chunk's forward and backward pass of
     * {@link #functionalPrediction}, kept between calls so that predicting batch after batch reuses its memory
     * ({@link #releasePredictionMemory()} frees it).
     */
    private static final String PREDICTION_WORKSPACE = "laplace-prediction";
    /** Id of the {@link StepWorkspace} of one weight draw's tangent pass in {@link #linearisedOutputs}. */
    private static final String TANGENT_WORKSPACE = "laplace-tangent";
    private final Network network;
    private final LaplaceOptions options;
    private final ComputeKernels kernels;
    private CoveredWeights covered;
    private Map<WeightLayer, int[]> layerGroups;
    private PriorPrecision prior;
    private double sigma;
    private double temperature;

    private boolean fitted;
    private long examples;
    private long outputs;
    private double dataTerm;
    private double[] thetaMap;
    private double[] groupSquaredNorms;

    /** Validates the options against the network; subclasses add their structure's checks. */
    LaplacePosterior(Network network, LaplaceOptions options) {
        this.network = java.util.Objects.requireNonNull(network, "network");
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.kernels = ComputeDevices.named(options.device());
        this.covered = cover(network, options);
        this.layerGroups = groupIndex(covered);
        this.sigma = options.sigma();
        this.temperature = options.temperature();
        checkPrior(options.prior());
        this.prior = options.prior();
    }

    static CoveredWeights cover(Network network, LaplaceOptions options) {
        return switch (options.subset()) {
            case ALL -> CoveredWeights.all(network);
            case LAST_LAYER -> CoveredWeights.lastLayer(network);
            case SUBNETWORK -> CoveredWeights.subnetwork(network, options.subnetwork());
        };
    }

    private static Map<WeightLayer, int[]> groupIndex(CoveredWeights covered) {
        Map<WeightLayer, int[]> index = new IdentityHashMap<>();
        List<ParameterGroup> groups = covered.groups();
        for (int i = 0; i < groups.size(); i++) {
            int[] slots = index.computeIfAbsent(groups.get(i).layer(), k -> new int[] {-1, -1});
            slots[groups.get(i).bias() ? 1 : 0] = i;
        }
        return index;
    }

    // ---------------------------------------------------------------- structure-specific parts

    /**
     * The curvature structure of this posterior.
     *
     * @return KRON, DIAG or FULL, fixed by the subclass
     */
    public abstract HessianStructure structure();

    /** Forgets all accumulated curvature. */
    abstract void resetCurvature();

    /** Adds one mini-batch (inputs of the curvature network) to the curvature. */
    abstract void accumulateCurvature(INDArray curvatureInputs, INDArray targets);

    /** Called after the last mini-batch of a fit: decompositions, spectra. */
    abstract void completeFit();

    /** log det(s H + P0) and its derivatives w.r.t. s and each prior value. */
    abstract LogDetTerms logDetTerms(double s, PriorPrecision prior);

    /** Rows of eps ({@code count x dim}) mapped by some R with R R^T = P^-1 (draws of N(0, P^-1) from N(0, I)). */
    abstract INDArray inverseSqrtPrecisionTimes(INDArray eps, double s, PriorPrecision prior);

    /** v^T P v. */
    abstract double precisionQuadraticForm(double[] v, double s, PriorPrecision prior);

    /** A tap that accumulates J P^-1 J^T of one batch from back-propagated unit vectors. */
    abstract FunctionalCovariance functionalCovariance(int examples, int outputs, double s, PriorPrecision prior);

    /** Extra prior-kind restrictions of a structure (KRON has no per-parameter prior). */
    void checkPriorKind(PriorPrecision p) {
    }

    // ---------------------------------------------------------------- fitting

    /**
     * Fits with the options' default {@link FitMode}.
     *
     * @param batches the mini-batches of the training data, at least one
     * @throws IllegalArgumentException on an empty iterator, bad shapes, NaN inputs or invalid targets
     * @throws IllegalStateException    when the default mode accumulates at weights different from the earlier fit's
     */
    public final void fit(Iterator<Batch> batches) {
        fit(batches, options.fitMode());
    }

    /**
     * Computes the curvature and the data term at the network's current weights (the MAP), over all mini-batches.
     * {@link FitMode#ACCUMULATE} adds to an earlier fit and requires the weights not to have changed since.
     *
     * @param batches the mini-batches of the training data, at least one
     * @param mode    whether to replace or add to an earlier fit
     * @throws IllegalArgumentException on an empty iterator, bad shapes, NaN inputs or invalid targets
     * @throws IllegalStateException    when accumulating at weights different from the earlier fit's
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    public final void fit(Iterator<Batch> batches, FitMode mode) {
        boolean accumulate = mode == FitMode.ACCUMULATE && fitted;
        if (accumulate) {
            double[] now = covered.flatValues();
            if (!java.util.Arrays.equals(now, thetaMap)) {
                throw new IllegalStateException("cannot ACCUMULATE: the covered weights changed since the last fit "
                        + "(refit with REPLACE at the new weights)");
            }
        } else {
            // a fresh view, so LAST_LAYER picks up weight arrays that were replaced since construction
            covered = cover(network, options);
            layerGroups = groupIndex(covered);
            resetCurvature();
            examples = 0;
            outputs = 0;
            dataTerm = 0;
        }
        fitted = false;
        boolean any = false;
        while (batches.hasNext()) {
            Batch b = batches.next();
            // the batch's activations are garbage once its curvature is added: in a reused arena they cost no new
            // off-heap memory, which the garbage collector of a mostly idle heap would free only much later
            try (StepWorkspace ignored = StepWorkspace.open(FIT_WORKSPACE)) {
                INDArray in = covered.curvatureInputs(b.inputs());
                FitStatistics batch = covered.fitStatistics(options, in, b.targets());
                if (outputs != 0 && batch.outputs() != outputs) {
                    throw new IllegalArgumentException("mini-batch has " + batch.outputs() + " outputs, earlier ones "
                            + "had " + outputs);
                }
                outputs = batch.outputs();
                dataTerm += batch.dataTerm();
                accumulateCurvature(in, b.targets());
                examples += batch.examples();
            }
            any = true;
        }
        StepWorkspace.release(FIT_WORKSPACE);
        if (!any && examples == 0) {
            throw new IllegalArgumentException("fit needs at least one mini-batch");
        }
        useMapWeights(covered.flatValues());
        completeFit();
        fitted = true;
    }

    // ---------------------------------------------------------------- hyperparameters

    /**
     * The current prior precision.
     *
     * @return the prior precision P0 the posterior uses now
     */
    public final PriorPrecision priorPrecision() {
        return prior;
    }

    /**
     * Sets the prior precision (cheap: no refit).
     *
     * @param p the new prior precision, of a kind and size this posterior accepts
     * @throws IllegalArgumentException when its size does not match the groups/parameters or the structure rejects it
     */
    public final void setPriorPrecision(PriorPrecision p) {
        checkPrior(p);
        this.prior = p;
    }

    private void checkPrior(PriorPrecision p) {
        java.util.Objects.requireNonNull(p, "prior precision");
        checkPriorKind(p);
        p.requireCompatible(covered.groups().size(), covered.dim());
    }

    /**
     * Observation noise standard deviation (1 for classification).
     *
     * @return sigma, > 0 (exactly 1 for classification)
     */
    public final double sigma() {
        return sigma;
    }

    /**
     * Sets sigma (regression only; must be finite and positive).
     *
     * @param value the new observation noise standard deviation, finite and > 0 (exactly 1 for classification)
     * @throws IllegalArgumentException when the value is out of range for the likelihood
     */
    public final void setSigma(double value) {
        Hyperparameters.requireSigma(options.likelihood(), value);
        this.sigma = value;
    }

    /**
     * The current temperature T.
     *
     * @return T, finite and > 0
     */
    public final double temperature() {
        return temperature;
    }

    /**
     * Sets the temperature T (finite, positive).
     *
     * @param value the new temperature T, finite and > 0
     * @throws IllegalArgumentException when the value is not finite and positive
     */
    public final void setTemperature(double value) {
        Hyperparameters.requirePositive("temperature", value);
        this.temperature = value;
    }

    /**
     * The curvature scale s = 1 / (sigma^2 T) of P = s H + P0.
     *
     * @return s = 1 / (sigma^2 T), > 0
     */
    public final double scale() {
        return 1.0 / (sigma * sigma * temperature);
    }

    // ---------------------------------------------------------------- marginal likelihood

    /**
     * log p(D | M) at the current hyperparameters (see {@link #marginalLikelihood()}).
     *
     * @return the log marginal likelihood in nats, summed over the data set
     * @throws IllegalStateException before {@link #fit}
     */
    public final double logMarginalLikelihood() {
        return marginalLikelihood().value();
    }

    /**
     * The Laplace log marginal likelihood
     * <pre>  log p(D | theta*)/T - 1/2 theta*^T P0 theta* + 1/2 log det P0 - 1/2 log det P</pre>
     * (the 2 pi terms of the prior and the Laplace integral cancel) with its closed-form gradient w.r.t. the log prior
     * precisions, log sigma and log T. The log-likelihood is summed over the data: -sum CE for classification,
     * -1/(2 sigma^2) sum ||y - f||^2 - N C log(sigma sqrt(2 pi)) for regression; the whole log-likelihood is tempered
     * by 1/T, consistently with P = H / (sigma^2 T) + P0.
     *
     * @return the log marginal likelihood at the current hyperparameters with its gradients
     * @throws IllegalStateException before {@link #fit}
     */
    public final MarginalLikelihood marginalLikelihood() {
        return marginalLikelihood(prior, sigma, temperature);
    }

    /**
     * The log marginal likelihood and its gradients (see {@link #marginalLikelihood()}) at the given hyperparameters
     * instead of the posterior's own, which stay unchanged: what a hyperparameter optimiser evaluates at each step
     * (see docs/online-training.md, section The update).
     *
     * @param prior       prior precision of a kind and size this posterior accepts
     * @param sigma       observation noise (1 for classification)
     * @param temperature T, finite and > 0
     * @return the log marginal likelihood at the given hyperparameters with its gradients
     * @throws IllegalStateException    before {@link #fit}
     * @throws IllegalArgumentException when a hyperparameter does not fit the posterior or is out of range
     */
    public final MarginalLikelihood marginalLikelihood(PriorPrecision prior, double sigma, double temperature) {
        requireFitted();
        checkPrior(prior);
        Hyperparameters.requireSigma(options.likelihood(), sigma);
        Hyperparameters.requirePositive("temperature", temperature);
        double s = 1.0 / (sigma * sigma * temperature);
        LogDetTerms ld = logDetTerms(s, prior);
        double t = temperature;
        double logLik;
        double dLogLikLogSigma;
        if (!options.likelihood().hasObservationNoise()) {
            logLik = -dataTerm / t;
            dLogLikLogSigma = 0;
        } else {
            double nc = (double) examples * outputs;
            logLik = -(dataTerm / (2 * sigma * sigma) + nc * Math.log(sigma * Math.sqrt(2 * Math.PI))) / t;
            dLogLikLogSigma = (dataTerm / (sigma * sigma) - nc) / t;
        }
        double priorTerm = 0;
        double[] dPrior = new double[prior.size()];
        List<ParameterGroup> groups = covered.groups();
        switch (prior.kind()) {
            case SCALAR -> {
                double d = prior.value(0);
                double sq = 0;
                for (double v : groupSquaredNorms) {
                    sq += v;
                }
                priorTerm = -0.5 * d * sq + 0.5 * covered.dim() * Math.log(d);
                dPrior[0] = -0.5 * d * sq + 0.5 * covered.dim() - 0.5 * d * ld.dPrior()[0];
            }
            case PER_GROUP -> {
                for (int g = 0; g < groups.size(); g++) {
                    double d = prior.value(g);
                    long dim = groups.get(g).size();
                    priorTerm += -0.5 * d * groupSquaredNorms[g] + 0.5 * dim * Math.log(d);
                    dPrior[g] = -0.5 * d * groupSquaredNorms[g] + 0.5 * dim - 0.5 * d * ld.dPrior()[g];
                }
            }
            case PER_PARAMETER -> {
                for (int p = 0; p < thetaMap.length; p++) {
                    double d = prior.value(p);
                    double th2 = thetaMap[p] * thetaMap[p];
                    priorTerm += -0.5 * d * th2 + 0.5 * Math.log(d);
                    dPrior[p] = -0.5 * d * th2 + 0.5 - 0.5 * d * ld.dPrior()[p];
                }
            }
        }
        double value = logLik + priorTerm - 0.5 * ld.logDet();
        double dLogSigma = !options.likelihood().hasObservationNoise() ? 0
                : dLogLikLogSigma + s * ld.dScale();
        double dLogT = -logLik + 0.5 * s * ld.dScale();
        return new MarginalLikelihood(value, dPrior, dLogSigma, dLogT);
    }

    // ---------------------------------------------------------------- predictive building blocks

    /**
     * The linearised (GLM) predictive of the network outputs at x: mean f(x; theta*) and covariance
     * J(x) P^-1 J(x)^T, streamed layer by layer from one backward pass with the C unit vectors per example.
     *
     * @param x network inputs (N rows)
     * @return mean {@code N x C} and covariance {@code N x C x C}, float64
     */
    public final FunctionalPrediction functionalPrediction(INDArray x) {
        return functionalPrediction(x, 1);
    }

    /**
     * The linearised predictive of the invariant model {@code f_bar(x_n) = 1/S sum_s f(x_{n,s}; theta*)} over S
     * augmented copies per example: mean {@code f_bar} and covariance {@code J_bar P^-1 J_bar^T} with
     * {@code J_bar = 1/S sum_s J(x_{n,s})}, the Jacobian of the averaged output. The unit vectors back-propagated for
     * each output are divided by S and sent to the S copies ({@link SharedRows#spread}); each layer's Jacobian then
     * sums over the copies as over shared positions ({@link LayerSlices#foldSharedRows}), the weight-sharing axis
     * that K-FAC fits with {@code sharedRowsPerExample = S} (see docs/predictive.md, section Invariant models).
     *
     * @param x              network inputs, {@code N*S} rows, the S copies of example n at rows {@code n*S .. n*S+S-1}
     * @param rowsPerExample S, at least 1 (1 is {@link #functionalPrediction(INDArray)})
     * @return mean {@code N x C} and covariance {@code N x C x C}, float64
     * @throws IllegalArgumentException when the rows of x are not a positive multiple of S, or the network's output
     *                                  count differs from the fitted one
     * @throws IllegalStateException    before {@link #fit} or when the network's weights differ from the MAP
     */
    public final FunctionalPrediction functionalPrediction(INDArray x, int rowsPerExample) {
        return functionalPrediction(x, rowsPerExample, 0);
    }

    /**
     * {@link #functionalPrediction(INDArray, int)} with the examples cut into chunks of at most
     * {@code maxBackpropRows / (C * S)} examples, with 0 standing for {@link KfacEstimator#maxBackpropRows(INDArray)}
     * of the curvature inputs (at least one example; one chunk when a layer's rows do not pass
     * independently, {@link Network#rowsPassIndependently()}): each chunk's forward and backward pass runs in the
     * prediction workspace, and the examples' covariances do not depend on each other, so the result is the same for
     * any chunk size.
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    final FunctionalPrediction functionalPrediction(INDArray x, int rowsPerExample, long maxBackpropRows) {
        requireFitted();
        requireMapWeights();
        INDArray in = covered.curvatureInputs(x);
        long rows = in.size(0);
        if (rowsPerExample < 1 || rows == 0 || rows % rowsPerExample != 0) {
            throw new IllegalArgumentException("inputs have " + rows + " rows, which is not a positive multiple of "
                    + rowsPerExample + " rows per example");
        }
        int c = Math.toIntExact(outputs);
        long examples = rows / rowsPerExample;
        long chunk = KfacEstimator.examplesPerPass(covered.curvatureNetwork(), in, maxBackpropRows, c,
                rowsPerExample);
        INDArray mean = Nd4j.create(DataType.DOUBLE, examples, c);
        INDArray covariance = Nd4j.create(DataType.DOUBLE, examples, c, c);
        for (long from = 0; from < examples; from += chunk) {
            long to = Math.min(examples, from + chunk);
            int count = Math.toIntExact(to - from);
            FunctionalCovariance acc = functionalCovariance(count, c, scale(), prior);
            acc.foldSharedRows(rowsPerExample);
            try (StepWorkspace ignored = StepWorkspace.open(PREDICTION_WORKSPACE)) {
                INDArray part = Tensors.firstAxisRange(in, from * rowsPerExample, to * rowsPerExample);
                INDArray out = covered.forwardBackward(part,
                        f -> SharedRows.spread(unitSeeds(f, c, count), rowsPerExample, c), c, acc);
                if (out.size(1) != c) {
                    throw new IllegalArgumentException("network gives " + out.size(1) + " outputs, the posterior was "
                            + "fitted with " + c);
                }
                mean.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                        .assign(SharedRows.average(out, rowsPerExample).castTo(DataType.DOUBLE));
                covariance.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all())
                        .assign(acc.result());
            }
        }
        return new FunctionalPrediction(mean, covariance);
    }

    /**
     * Frees the memory that the passes of {@link #functionalPrediction} and {@link #linearisedOutputs} keep on the
     * calling thread for the next call (shared by all posteriors on that thread), e.g. after predicting a whole test
     * set; the next prediction allocates it again.
     */
    public static void releasePredictionMemory() {
        StepWorkspace.release(PREDICTION_WORKSPACE);
        StepWorkspace.release(TANGENT_WORKSPACE);
        StepWorkspace.release(KronLaplace.COVARIANCE_WORKSPACE);
    }

    private static INDArray unitSeeds(INDArray out, int c, long examples) {
        // copy-major rows k * N + n hold the unit vector e_k: each row of the C x C identity repeated N times in a row
        return Nd4j.eye(c).castTo(out.dataType()).repeat(0, examples);
    }

    /**
     * Posterior weight samples theta* + P^{-1/2} eps, eps ~ N(0, I).
     *
     * @param count number of samples, >= 1
     * @param seed  seed of the standard normal draws eps
     * @return {@code count x dim} float64, in the posterior's flat group order
     */
    public final INDArray sampleWeights(int count, long seed) {
        return sampleWeightSteps(count, seed).addiRowVector(Nd4j.createFromArray(thetaMap).reshape(1, thetaMap.length));
    }

    /**
     * Posterior weight deviations theta - theta* = P^{-1/2} eps, eps ~ N(0, I): the draws of {@link #sampleWeights}
     * (same seed, same draws) without the MAP added, as the linearised predictive needs them.
     *
     * @param count number of samples, >= 1
     * @param seed  seed of the standard normal draws eps (the seed of the matching {@link #sampleWeights} call)
     * @return {@code count x dim} float64, in the posterior's flat group order
     * @throws IllegalArgumentException when count is below 1
     * @throws IllegalStateException    before {@link #fit}
     */
    public final INDArray sampleWeightSteps(int count, long seed) {
        requireFitted();
        if (count < 1) {
            throw new IllegalArgumentException("sample count must be >= 1, got " + count);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int dim = thetaMap.length;
        double[] eps = new double[Math.multiplyExact(count, dim)];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = gaussian(random);
        }
        return inverseSqrtPrecisionTimes(Nd4j.create(eps, new long[] {count, dim}, 'c'), scale(), prior);
    }

    /**
     * The linearised network f(x; theta*) + J(x) v_s for each weight deviation v_s (rows of {@code steps}): one
     * forward pass at the MAP, then one forward-mode (Jacobian-vector product) pass per deviation, whose cost does not
     * depend on the number of outputs (see docs/predictive.md, section Linearised sampling).
     *
     * @param x     network inputs (N rows)
     * @param steps {@code S x dim} weight deviations in the posterior's flat group order (e.g. from
     *              {@link #sampleWeightSteps})
     * @return {@code S x N x C} linearised outputs, float64
     * @throws IllegalArgumentException when {@code steps} is not {@code S x dim} or not finite
     * @throws IllegalStateException    before {@link #fit} or when the network's weights differ from the MAP
     */
    @SuppressWarnings("try") // the workspace scopes are held for their effect only
    public final INDArray linearisedOutputs(INDArray x, INDArray steps) {
        requireFitted();
        requireMapWeights();
        if (steps.rank() != 2 || steps.size(1) != thetaMap.length) {
            throw new IllegalArgumentException("weight deviations must be S x " + thetaMap.length + ", got "
                    + java.util.Arrays.toString(steps.shape()));
        }
        Tensors.requireFinite(steps, "weight deviations");
        INDArray in = covered.curvatureInputs(x);
        long count = steps.size(0);
        INDArray result = null;
        // the forward pass stays in the prediction workspace for all draws; each draw's tangents reuse their own
        try (StepWorkspace ignored = StepWorkspace.open(PREDICTION_WORKSPACE)) {
            INDArray mean = covered.forward(in);
            INDArray zero = Nd4j.zeros(in.dataType(), in.shape());
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                result = Nd4j.create(DataType.DOUBLE, count, mean.size(0), mean.size(1));
            }
            for (long i = 0; i < count; i++) {
                try (StepWorkspace draw = StepWorkspace.open(TANGENT_WORKSPACE)) {
                    INDArray tangent = covered.weightDirectionJvp(zero, steps.getRow(i).reshape(thetaMap.length),
                            mean.dataType());
                    result.get(NDArrayIndex.point(i)).assign(tangent.addi(mean).castTo(DataType.DOUBLE));
                }
            }
        }
        return result;
    }

    /**
     * log N(theta; theta*, P^-1) = -dim/2 log(2 pi) + 1/2 log det P - 1/2 (theta - theta*)^T P (theta - theta*).
     *
     * @param theta a weight vector of length {@link #dim()} (flat group order)
     * @return the log density of the Gaussian posterior at theta, in nats
     */
    public final double logPosteriorDensity(INDArray theta) {
        requireFitted();
        if (theta.length() != thetaMap.length) {
            throw new IllegalArgumentException("weight vector has length " + theta.length() + ", the posterior covers "
                    + thetaMap.length + " parameters");
        }
        Tensors.requireFinite(theta, "weight vector");
        double[] v = theta.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < v.length; i++) {
            v[i] -= thetaMap[i];
        }
        double s = scale();
        double logDet = logDetTerms(s, prior).logDet();
        return -0.5 * v.length * Math.log(2 * Math.PI) + 0.5 * logDet - 0.5 * precisionQuadraticForm(v, s, prior);
    }

    /**
     * Network outputs at x for each given covered-weight vector (rows of {@code weights}); the MAP weights are restored
     * afterwards, also on failure.
     *
     * @param weights {@code S x dim} covered-weight vectors, one per row, in flat group order
     * @param x       network inputs of N examples
     * @return {@code S x N x C} outputs, float64
     */
    public final INDArray outputsAtWeights(INDArray weights, INDArray x) {
        requireFitted();
        if (weights.rank() != 2 || weights.size(1) != thetaMap.length) {
            throw new IllegalArgumentException("weights must be S x " + thetaMap.length + ", got "
                    + java.util.Arrays.toString(weights.shape()));
        }
        INDArray in = covered.curvatureInputs(x);
        long count = weights.size(0);
        INDArray result = null;
        try {
            for (long i = 0; i < count; i++) {
                covered.setFlatValues(weights.getRow(i).castTo(DataType.DOUBLE).dup('c').data().asDouble());
                INDArray out = covered.forward(in).castTo(DataType.DOUBLE);
                if (result == null) {
                    result = Nd4j.create(DataType.DOUBLE, count, out.size(0), out.size(1));
                }
                result.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(out);
            }
        } finally {
            covered.setFlatValues(thetaMap);
        }
        return result;
    }

    // ---------------------------------------------------------------- accessors

    /**
     * The network whose weights the posterior covers.
     *
     * @return the network (its weights are the MAP between calls)
     */
    public final Network network() {
        return network;
    }

    /**
     * The options the posterior was created with (initial hyperparameters).
     *
     * @return the creation options; the current hyperparameters may differ
     */
    public final LaplaceOptions options() {
        return options;
    }

    /**
     * The kernels of the curvature work, resolved from {@link LaplaceOptions#device()} (CPU after a fallback).
     *
     * @return the compute kernels in use
     */
    public final ComputeKernels kernels() {
        return kernels;
    }

    /**
     * Which weights are covered.
     *
     * @return the subset of weights
     */
    public final SubsetOfWeights subset() {
        return options.subset();
    }

    /**
     * Classification or regression.
     *
     * @return the likelihood type
     */
    public final LikelihoodType likelihood() {
        return options.likelihood();
    }

    /**
     * Names of the parameter groups, in order (the order of per-group prior precisions).
     *
     * @return the group names, one per group
     */
    public final List<String> groupNames() {
        return covered.groups().stream().map(ParameterGroup::name).toList();
    }

    /**
     * Number of covered parameters.
     *
     * @return the length of the covered weight vector
     */
    public final long dim() {
        return covered.dim();
    }

    /**
     * Whether {@link #fit} has completed.
     *
     * @return true once a fit has completed
     */
    public final boolean isFitted() {
        return fitted;
    }

    /**
     * Examples seen by the fit(s).
     *
     * @return the number of training examples summed over all fits
     */
    public final long examples() {
        return examples;
    }

    /**
     * Network outputs C (after a fit).
     *
     * @return the number C of network outputs, 0 before a fit
     */
    public final long outputs() {
        return outputs;
    }

    /**
     * The covered MAP weights of the last fit (a copy), flat group order.
     *
     * @return a {@code dim}-vector, float64
     * @throws IllegalStateException before {@link #fit}
     */
    public final INDArray mapWeights() {
        requireFitted();
        return Nd4j.createFromArray(thetaMap.clone());
    }

    /**
     * The summed data statistic of the fit: cross-entropy (classification) or squared error (regression).
     *
     * @return the summed cross-entropy (nats) or summed squared error
     */
    public final double dataTerm() {
        return dataTerm;
    }

    final CoveredWeights covered() {
        return covered;
    }

    final List<ParameterGroup> groups() {
        return covered.groups();
    }

    /** Weight and bias group indices of a layer (-1 when absent), or null when the layer is not covered. */
    final int[] groupsOf(WeightLayer layer) {
        return layerGroups.get(layer);
    }

    /** The prior precision of every covered parameter, flat group order. */
    final double[] perParameterPrior(PriorPrecision p) {
        if (p.kind() == PriorPrecision.Kind.PER_PARAMETER) {
            return p.values();
        }
        double[] out = new double[Math.toIntExact(covered.dim())];
        List<ParameterGroup> groups = covered.groups();
        for (int g = 0; g < groups.size(); g++) {
            java.util.Arrays.fill(out, (int) groups.get(g).offset(), (int) (groups.get(g).offset() + groups.get(g).size()),
                    p.groupValue(g));
        }
        return out;
    }

    /**
     * log det terms of a block-diagonal precision with one spectrum per group and a SCALAR or PER_GROUP prior:
     * sum_g log det(s H_g + delta_g I), d/ds = sum_g (dim_g - delta_g tr(P_g^-1)) / s, d/d delta_g = tr(P_g^-1).
     */
    static LogDetTerms groupLogDet(SpectralSums[] spectra, double s, PriorPrecision p) {
        double logDet = 0;
        double dScale = 0;
        double[] dPrior = new double[p.size()];
        for (int g = 0; g < spectra.length; g++) {
            SpectralSums.Terms t = spectra[g].terms(s, p.groupValue(g));
            logDet += t.logDet();
            dScale += t.logDetScaleDerivative();
            dPrior[p.kind() == PriorPrecision.Kind.SCALAR ? 0 : g] += t.logDetDampingDerivative();
        }
        return new LogDetTerms(logDet, dScale, dPrior);
    }

    final double[] thetaMapView() {
        return thetaMap;
    }

    /** Restores fit statistics when loading from a file. */
    final void restoreFit(long examples, long outputs, double dataTerm, double[] theta) {
        covered.setFlatValues(theta);
        installFit(new FitStatistics(examples, outputs, dataTerm), theta.clone());
    }

    /** Completes a fit from statistics computed elsewhere, at MAP weights the network already holds (owned array). */
    final void installFit(FitStatistics statistics, double[] theta) {
        this.examples = statistics.examples();
        this.outputs = statistics.outputs();
        this.dataTerm = statistics.dataTerm();
        useMapWeights(theta);
        this.fitted = true;
    }

    /** Records the MAP weights of a fit (taking ownership of the array) and their squared norm per group. */
    private void useMapWeights(double[] theta) {
        this.thetaMap = theta;
        this.groupSquaredNorms = new double[covered.groups().size()];
        for (int g = 0; g < groupSquaredNorms.length; g++) {
            ParameterGroup pg = covered.groups().get(g);
            for (long i = pg.offset(); i < pg.offset() + pg.size(); i++) {
                groupSquaredNorms[g] += theta[(int) i] * theta[(int) i];
            }
        }
    }

    final void requireFitted() {
        if (!fitted) {
            throw new IllegalStateException("the posterior is not fitted: call fit(...) at the MAP weights first");
        }
    }

    private void requireMapWeights() {
        if (!java.util.Arrays.equals(covered.flatValues(), thetaMap)) {
            throw new IllegalStateException("the network's covered weights differ from the fitted MAP weights; refit "
                    + "the posterior at the current weights");
        }
    }

    static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A tap that turns a batch's per-layer Jacobians into J P^-1 J^T. */
    abstract static class FunctionalCovariance implements GradientTap {
        private int rowsPerExample = 1;

        /** The accumulated covariances, {@code N x C x C}. */
        abstract INDArray result();

        /** Takes every S consecutive batch rows as the copies of one example (see {@link LayerSlices#foldSharedRows}). */
        final void foldSharedRows(int s) {
            rowsPerExample = s;
        }

        /** A tapped layer's slices, folded over the copies of each example. */
        final LayerSlices slices(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
            return LayerSlices.of(layer, input, gradOutput, copies).foldSharedRows(rowsPerExample);
        }
    }
}
