package io.kronlaplace.curvature;

import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.nn.WeightLayer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Accumulates K-FAC factors (EXPAND or REDUCE; exact GGN, MC Fisher or empirical Fisher) of every {@code Linear} and
 * {@code Conv2d} layer of a network over mini-batches.
 *
 * <p>Each {@link #accumulate} runs one forward pass in {@link Mode#EVAL} and one backward pass that carries all
 * back-propagated vectors of the batch at once ({@code copies} per example: C Hessian-root columns for the GGN, k
 * samples for the MC Fisher, one gradient for the empirical Fisher) through a {@code GradientTap}; no parameter
 * gradients are computed. The factors are for the SUMMED loss over all examples accumulated since construction or
 * the last {@link #reset()}: B is summed over batches, A is summed and divided by the total count when read, so
 * factors over two halves of a batch equal factors over the whole batch. The passes run in a {@link StepWorkspace},
 * so a refit over many batches of one shape allocates its activations once.
 *
 * <p>The MC Fisher's labels of each batch are drawn from a generator seeded by the options' seed and the batch's
 * index ({@link #batchSeed}), not from one stream over all batches: the factors depend on how the data is cut into
 * batches but not on which process accumulates which batches, so sums over parts of the data ({@link #sums()},
 * {@link #accumulate(INDArray, INDArray, long)} with the global batch index) combine into exactly the factors of one
 * pass (see docs/spark.md, section Exactness).
 *
 * <p>Not thread-safe; the network's layer caches are overwritten by each call.
 */
public final class KfacEstimator {
    private static final String WORKSPACE = "kfac-accumulate";
    private static final String CHUNK_WORKSPACE = "kfac-accumulate-chunk";
    /** The increment of {@link SplittableRandom}'s default stream: seed + k * gamma starts that stream at value k. */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /**
     * The most input values (back-propagated rows, that is batch rows x vectors per row, times the values of one input
     * row) of one backward pass, here and in the Laplace predictives: 256 rows of 3 x 32 x 32 images. A larger batch
     * is cut into chunks of examples, which bounds the pass's memory (an exact GGN with 100 classes on 10 WRN-16-4
     * images, 1,000 rows, ran out of memory) and changes nothing else: the vectors are drawn for the whole batch
     * first. The activations of a network grow with its input rows' size, so a network with small rows (a last-layer
     * head on 512 features) passes proportionally more rows at once.
     */
    public static final long MAX_BACKPROP_INPUT_VALUES = 256L * 3 * 32 * 32;
    /**
     * The most back-propagated rows of one pass however few values a row holds. The input-value bound tracks the
     * activations of networks whose layers are about as wide as their inputs; a wide network on a few features (a
     * 4,096-unit MLP on 10 inputs) would otherwise pass 78,643 rows at once, 1.3 GB for each hidden activation.
     */
    public static final long MAX_ROWS_PER_PASS = 4096;
    private final Network network;
    private final Likelihood likelihood;
    private final KfacOptions options;
    private final ComputeKernels kernels;
    private final Map<String, LayerFactorAccumulator> accumulators = new HashMap<>();
    /** The arrays of closed factors, for the next read-out. */
    private final FactorArrayPool recycled = new FactorArrayPool();
    /** The most back-propagated rows of one pass, or 0 for {@link #maxBackpropRows(INDArray)} of each batch. */
    private long maxBackpropRows;
    private long examples;
    private long batches;

    /**
     * @param network    the model (any floating type; factors are accumulated in float64)
     * @param likelihood the loss whose curvature is approximated
     * @param options    flavour, curvature type, samples, shared rows, seed, compute device (resolved here by
     *                   {@link ComputeDevices#named})
     */
    public KfacEstimator(Network network, Likelihood likelihood, KfacOptions options) {
        this.network = Objects.requireNonNull(network, "network");
        this.likelihood = Objects.requireNonNull(likelihood, "likelihood");
        this.options = Objects.requireNonNull(options, "options");
        if (network.weightLayers().isEmpty()) {
            throw new IllegalArgumentException("the network has no weight layers to factor");
        }
        this.kernels = ComputeDevices.named(options.device());
    }

    /**
     * The most back-propagated rows of one backward pass over inputs like these:
     * {@link #MAX_BACKPROP_INPUT_VALUES} divided by the values of one input row, at least 1 and at most
     * {@link #MAX_ROWS_PER_PASS}.
     *
     * @param inputs a batch of network inputs (rows along dimension 0)
     * @return the row bound, at least 1
     */
    public static long maxBackpropRows(INDArray inputs) {
        long rows = Math.max(1, inputs.size(0));
        long valuesPerRow = Math.max(1, inputs.length() / rows);
        return Math.max(1, Math.min(MAX_ROWS_PER_PASS, MAX_BACKPROP_INPUT_VALUES / valuesPerRow));
    }

    /**
     * Examples per backward pass when each example back-propagates {@code copies x rowsPerExample} rows: the row bound
     * ({@code maxBackpropRows}, or {@link #maxBackpropRows(INDArray)} of the inputs when it is 0) over those rows, at
     * least 1; all examples of the batch when some weight layer's rows do not pass independently
     * ({@link Network#rowsPassIndependently()}). The fit and the Laplace predictives cut batches with it.
     *
     * @param network         the network the pass runs through
     * @param inputs          the batch, {@code examples x rowsPerExample} rows along dimension 0
     * @param maxBackpropRows the most back-propagated rows of one pass, or 0 for the bound of these inputs
     * @param copies          back-propagated vectors per row
     * @param rowsPerExample  batch rows that make up one example (shared rows), at least 1
     * @return the examples of one pass, at least 1
     */
    public static long examplesPerPass(Network network, INDArray inputs, long maxBackpropRows, long copies,
                                       int rowsPerExample) {
        if (!network.rowsPassIndependently()) {
            return Math.max(1, inputs.size(0) / rowsPerExample);
        }
        long bound = maxBackpropRows > 0 ? maxBackpropRows : maxBackpropRows(inputs);
        return Math.max(1, bound / (copies * rowsPerExample));
    }

    /** Sets the most back-propagated rows of one backward pass (tests cut small batches into chunks with it). */
    void maxBackpropRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("at least one back-propagated row per pass, got " + rows);
        }
        maxBackpropRows = rows;
    }

    /**
     * The options this estimator was built with.
     *
     * @return the options given to the constructor
     */
    public KfacOptions options() {
        return options;
    }

    /**
     * The kernels that run the factor updates and eigendecompositions.
     *
     * @return the kernels of the options' compute device, or the CPU's when that device fell back to the CPU
     */
    public ComputeKernels kernels() {
        return kernels;
    }

    /**
     * Adds one mini-batch.
     *
     * @param inputs  network inputs, N rows (N a multiple of {@code sharedRowsPerExample} S)
     * @param targets targets of the N / S examples (class indices [N/S] or values [N/S, C]); read by the
     *                empirical Fisher and by likelihoods with missing targets (BinaryCrossEntropy masks their
     *                curvature), may be null otherwise
     * @return the network's outputs for {@code inputs} (N rows, detached from the pass), e.g. for the data term of a
     *         marginal likelihood without a second forward pass
     * @throws IllegalArgumentException on bad shapes or NaN inputs; the sums are unchanged when it is thrown before
     *                                  the backward pass starts
     */
    public INDArray accumulate(INDArray inputs, INDArray targets) {
        return accumulate(inputs, targets, batches);
    }

    /**
     * Adds one mini-batch as the batch with the given index in a larger pass over the data, e.g. batch 7 of a data
     * set whose batches 0..6 are accumulated by another estimator: its MC Fisher labels are drawn with
     * {@link #batchSeed batchSeed(seed, batchIndex)}, exactly as a single estimator drawing them for its batch
     * {@code batchIndex}. Later calls of {@link #accumulate(INDArray, INDArray)} continue at {@code batchIndex + 1}.
     *
     * @param inputs     network inputs, N rows (N a multiple of {@code sharedRowsPerExample} S); not null
     * @param targets    targets of the N / S examples, as for {@link #accumulate(INDArray, INDArray)}; may be null
     *                   when neither the curvature type nor the likelihood reads them
     * @param batchIndex index of the batch in the whole pass, &gt;= 0
     * @return the network's outputs (see {@link #accumulate(INDArray, INDArray)})
     * @throws IllegalArgumentException on a negative index, bad shapes or NaN inputs
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    public INDArray accumulate(INDArray inputs, INDArray targets, long batchIndex) {
        Objects.requireNonNull(inputs, "inputs");
        if (batchIndex < 0) {
            throw new IllegalArgumentException("batch index must be >= 0, got " + batchIndex);
        }
        int shared = options.sharedRowsPerExample();
        if (inputs.rank() == 0 || inputs.size(0) % shared != 0) {
            throw new IllegalArgumentException("batch of " + (inputs.rank() == 0 ? 0 : inputs.size(0))
                    + " rows is not a positive multiple of sharedRowsPerExample=" + shared);
        }
        INDArray result;
        try (StepWorkspace ignored = StepWorkspace.open(WORKSPACE)) {
            INDArray outputs = network.forward(inputs, Mode.EVAL);
            BackpropVectors v = BackpropVectors.compute(likelihood, outputs, targets, options,
                    new SplittableRandom(batchSeed(options.seed(), batchIndex)));
            long rows = inputs.size(0);
            long chunk = examplesPerPass(network, inputs, maxBackpropRows, v.copies(), shared) * shared;
            if (chunk >= rows) {
                network.backward(v.vectors(), BackwardContext.curvature(v.copies(), this::observe));
            } else {
                // the vectors were drawn for the whole batch; each chunk of examples repeats its (deterministic)
                // forward pass so that the layers hold its inputs, and back-propagates its own rows of every copy
                for (long from = 0; from < rows; from += chunk) {
                    long to = Math.min(rows, from + chunk);
                    // a workspace keeps every array of a cycle: one cycle per chunk is what bounds the memory
                    try (StepWorkspace chunkScope = StepWorkspace.open(CHUNK_WORKSPACE)) {
                        network.forward(Tensors.firstAxisRange(inputs, from, to), Mode.EVAL);
                        network.backward(copyRows(v, rows, from, to), BackwardContext.curvature(v.copies(),
                                this::observe));
                    }
                }
            }
            result = outputs.detach();
        }
        examples += inputs.size(0) / shared;
        batches = batchIndex + 1;
        return result;
    }

    /** Rows {@code from .. to - 1} of every copy of copy-major vectors over {@code rows} batch rows, copy-major. */
    private static INDArray copyRows(BackpropVectors v, long rows, long from, long to) {
        INDArray[] parts = new INDArray[v.copies()];
        for (int c = 0; c < parts.length; c++) {
            parts[c] = Tensors.firstAxisRange(v.vectors(), c * rows + from, c * rows + to);
        }
        return parts.length == 1 ? parts[0] : Nd4j.concat(0, parts);
    }

    /**
     * The seed of the MC Fisher label sampling of batch {@code batchIndex} in a pass with seed {@code seed}: the
     * {@code batchIndex}-th value of {@code new SplittableRandom(seed)}, computed directly, so every batch has its
     * own well-mixed seed without drawing through the earlier batches.
     *
     * @param seed       the seed of the whole pass, {@link KfacOptions#seed()}
     * @param batchIndex index of the batch in the pass; any value, though the estimator passes only indices &gt;= 0
     * @return the seed of that batch's label sampling
     */
    public static long batchSeed(long seed, long batchIndex) {
        return new SplittableRandom(seed + batchIndex * GOLDEN_GAMMA).nextLong();
    }

    /**
     * Frees the memory that the passes of {@link #accumulate} keep for reuse on the calling thread (shared by all
     * estimators on that thread), and the memory of closed factors kept for the next {@link #factors()}, e.g. after a
     * refit when training resumes; factor sums are kept, and later calls allocate the memory again.
     */
    public void releaseWorkspace() {
        StepWorkspace.release(WORKSPACE);
        StepWorkspace.release(CHUNK_WORKSPACE);
        recycled.clear();
    }

    /**
     * Adds the contribution of one layer from its input and back-propagated vectors directly (what the backward pass
     * feeds in through the tap); for callers that run their own passes and for timing the factor work alone. It does
     * not change {@link #examplesSeen()}, which counts the examples of {@link #accumulate} calls.
     *
     * @param layer      the weight layer the data belongs to; its path keys the factors, and its sizes fix the
     *                   factors' shapes on the first call for that path
     * @param input      the layer's forward input, N rows
     * @param gradOutput {@code copies * N} back-propagated vectors at its output, copy-major
     * @param copies     the number of back-propagated vectors per input row, &gt;= 1
     */
    public void observe(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
        accumulators.computeIfAbsent(layer.path(),
                p -> new LayerFactorAccumulator(layer, options.flavour(), options.sharedRowsPerExample(),
                        kernels))
                .add(layer, input, gradOutput, copies);
    }

    /**
     * The factors of every layer seen, keyed by layer path in the network's layer order. Close them
     * ({@link KronFactors#closeAll}) once they are decomposed or copied: the next call then writes into their memory
     * instead of fresh memory, which a refit of a large network feels (docs/kfac.md, section Cost model).
     *
     * @return an unmodifiable map of new float64 factors, A divided by the examples (or example-positions) seen
     * @throws IllegalStateException before any data was accumulated
     */
    public Map<String, KronFactors> factors() {
        Map<String, KronFactors> out = new LinkedHashMap<>();
        Map<Long, Integer> arraysPerSize = new HashMap<>();
        for (LayerFactorAccumulator acc : accumulators.values()) {
            for (long n : acc.factorSizes()) {
                arraysPerSize.merge(n, 1, Integer::sum);
            }
        }
        recycled.limitTo(arraysPerSize);
        for (WeightLayer layer : network.weightLayers()) {
            LayerFactorAccumulator acc = accumulators.get(layer.path());
            if (acc != null && acc.hasData()) {
                out.put(layer.path(), acc.factors(recycled));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no data accumulated: call accumulate(...) before factors()");
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The raw sums of every layer seen (copies), keyed by layer path in the network's layer order: add the sums of
     * other parts of the data with {@link FactorSums#plus} and normalise once with {@link FactorSums#factors}.
     *
     * @return an unmodifiable map of the layers' raw sums, each an independent copy
     * @throws IllegalStateException before any data was accumulated
     */
    public Map<String, FactorSums> sums() {
        Map<String, FactorSums> out = new LinkedHashMap<>();
        for (WeightLayer layer : network.weightLayers()) {
            LayerFactorAccumulator acc = accumulators.get(layer.path());
            if (acc != null && acc.hasData()) {
                out.put(layer.path(), acc.sums());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no data accumulated: call accumulate(...) before sums()");
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Eigendecompositions of {@link #factors()}, keyed by layer path (scheduled by
     * {@link ComputeKernels#decomposeAllSymmetric} of {@link #kernels()}).
     *
     * @return an unmodifiable map of the eigendecompositions of both factors of every layer seen
     * @throws IllegalStateException before any data was accumulated
     */
    public Map<String, KronDecomposition> decompositions() {
        Map<String, KronFactors> factors = factors();
        try {
            return Collections.unmodifiableMap(KronDecomposition.ofAll(factors, kernels));
        } finally {
            KronFactors.closeAll(factors.values());
        }
    }

    /**
     * Forgets all accumulated data (and restarts the batch count of the label sampling at 0), e.g. before a refit;
     * the factor buffers are zeroed and kept, so refits allocate nothing new.
     */
    public void reset() {
        accumulators.values().forEach(LayerFactorAccumulator::clear);
        examples = 0;
        batches = 0;
    }

    /**
     * Examples accumulated by {@link #accumulate} since construction or the last reset.
     *
     * @return the sum over the batches of their rows divided by sharedRowsPerExample
     */
    public long examplesSeen() {
        return examples;
    }
}
