package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.PositionMatrices;
import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.nn.WeightLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Running Kronecker-factor sums of one weight layer. Batch Gram matrices are computed by SYRK (upper triangle only,
 * see {@link ComputeKernels}), in float64 straight into the sums when a batch has few rows, else in the
 * network's floating type into preallocated buffers that are added into the float64 sums, so many mini-batches lose
 * no precision. Reading the factors mirrors the upper triangle and divides A by the total count (examples for REDUCE,
 * example-positions for EXPAND).
 */
final class LayerFactorAccumulator {
    /**
     * The most input-position values EXPAND materialises at once (a layer unfolds or lays out larger batches in
     * chunks: see {@link WeightLayer#forEachInputChunk} and {@link WeightLayer#inputGram}).
     */
    private static final long MAX_UNFOLDED_ELEMENTS = 1L << 24;

    private final String path;
    private final KfacFlavour flavour;
    private final int shared;
    private final ComputeKernels kernels;
    private final INDArray aSum;
    private final INDArray bSum;
    private INDArray aBatch;
    private INDArray bBatch;
    private long aCount;

    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    LayerFactorAccumulator(WeightLayer layer, KfacFlavour flavour, int shared, ComputeKernels kernels) {
        this.path = layer.path();
        this.flavour = flavour;
        this.shared = shared;
        this.kernels = kernels;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.aSum = Nd4j.zeros(DataType.DOUBLE, layer.inFeatures(), layer.inFeatures());
            this.bSum = Nd4j.zeros(DataType.DOUBLE, layer.outFeatures(), layer.outFeatures());
        }
    }

    /**
     * Adds one backward pass's contribution through the layer's K-FAC view (docs/layer-layouts.md): EXPAND sums
     * {@code a a^T} and {@code g g^T} over every row and position, REDUCE sums the outer products of the mean input
     * (over positions and each group of shared rows) and of the summed back-propagated vectors.
     *
     * @param input      the layer's forward input, N rows
     * @param gradOutput back-propagated vectors at its output, copies * N rows, copy-major
     */
    void add(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
        if (input.size(0) % shared != 0) {
            throw new IllegalArgumentException("layer '" + path + "': " + input.size(0)
                    + " input rows are not a multiple of sharedRowsPerExample=" + shared);
        }
        PositionMatrices gradients = layer.outputMatrices(gradOutput);
        if (flavour == KfacFlavour.EXPAND) {
            addInputGram(layer, input);
            addPositions(gradients, false);
            aCount += input.size(0) * layer.positions(input);
        } else {
            RowSegments segments = layer.rowSegments(input);
            if (segments == null) {
                addGram(groupMean(layer.meanInput(input)), true);
                addGram(groupSum(gradients.sumOverPositions()), false);
                aCount += input.size(0) / shared;
            } else {
                addSegments(layer, input, gradients, copies, segments);
            }
        }
    }

    /**
     * REDUCE over ragged examples: the mean input and the summed back-propagated vectors of each segment (each
     * example's own rows and positions); A counts the non-empty segments, since an empty one has no input to average
     * (docs/graph-networks.md, section "Ragged positions").
     */
    private void addSegments(WeightLayer layer, INDArray input, PositionMatrices gradients, int copies,
                             RowSegments segments) {
        if (shared != 1) {
            throw new IllegalArgumentException("layer '" + path + "' states its own row segments; sharedRowsPerExample"
                    + " must be 1, got " + shared);
        }
        // every row has the same number of positions, so the mean of the row means is the mean over all positions
        addGram(segments.means(layer.meanInput(input)), true);
        addGram(segments.sums(gradients.sumOverPositions(), copies), false);
        aCount += segments.nonEmpty();
    }

    /** The sizes of A and B. */
    long[] factorSizes() {
        return new long[] {aSum.size(0), bSum.size(0)};
    }

    /** Whether any data was added since construction or the last {@link #clear()}. */
    boolean hasData() {
        return aCount > 0;
    }

    /** Zeroes the sums, keeping the buffers for the next fit. */
    void clear() {
        aSum.assign(0);
        bSum.assign(0);
        aCount = 0;
    }

    /** (A, B) normalised for the summed loss, A divided by the total count, in arrays from the pool. */
    KronFactors factors(FactorArrayPool pool) {
        if (aCount == 0) {
            throw new IllegalStateException("layer '" + path + "' has seen no data");
        }
        return FactorSums.normalised(path, flavour, aSum, bSum, aCount, kernels, pool);
    }

    /** A copy of the raw sums (upper triangles) and the count, for combining with sums over other data. */
    FactorSums sums() {
        if (aCount == 0) {
            throw new IllegalStateException("layer '" + path + "' has seen no data");
        }
        return FactorSums.of(path, flavour, aSum, bSum, aCount);
    }

    /**
     * Adds the EXPAND input Gram: the layer's own, where it has a way that does not materialise the positions (a
     * stride-1 convolution), else one SYRK per chunk of materialised positions.
     */
    private void addInputGram(WeightLayer layer, INDArray input) {
        INDArray[] written = new INDArray[1];
        if (layer.inputGram(input, MAX_UNFOLDED_ELEMENTS,
                () -> written[0] = batchBuffer(true, layer.inFeatures(), input.dataType()), kernels)) {
            if (written[0] == null) {
                throw new IllegalStateException("layer '" + path + "' reported an input Gram without asking for the "
                        + "array to write it to");
            }
            addBuffer(written[0], true);
        } else {
            layer.forEachInputChunk(input, MAX_UNFOLDED_ELEMENTS, chunk -> addPositions(chunk, true));
        }
    }

    /**
     * Adds the sum over rows and positions of {@code v v^T}: one SYRK over all row-positions when each position is a
     * matrix row, one per row's matrix when positions are columns (im2col's layout, never transposed).
     */
    private void addPositions(PositionMatrices m, boolean input) {
        if (m.orientation() == PositionMatrices.Orientation.FEATURES_BY_POSITIONS) {
            addExampleGrams(m.values(), input);
        } else {
            addGram(m.values().reshape(m.rows() * m.positions(), m.features()), input);
        }
    }

    /**
     * Adds sum_n M_n M_n^T for a stack of per-example matrices M_n ([rows, D, R], features by positions, C order):
     * the EXPAND sums over positions without transposing the unfolded tensor. The rows are accumulated in the
     * network's type, then added to the float64 sum once.
     */
    private void addExampleGrams(INDArray examples, boolean input) {
        INDArray stack = Tensors.denseBuffer(examples);
        long d = stack.size(1);
        INDArray buffer = batchBuffer(input, d, stack.dataType());
        kernels.addProductsOfUpper(stack, buffer, 0.0);
        addBuffer(buffer, input);
    }

    /** Mean over each group of S consecutive rows of an [rows, D] matrix. */
    private INDArray groupMean(INDArray m) {
        return shared == 1 ? m : m.reshape(m.size(0) / shared, shared, m.size(1)).mean(1);
    }

    /** Sum over each group of S consecutive rows (copy-major rows keep their copy). */
    private INDArray groupSum(INDArray m) {
        return shared == 1 ? m : m.reshape(m.size(0) / shared, shared, m.size(1)).sum(1);
    }

    /**
     * Adds X^T X of an [M, D] matrix to the A (input) or B (gradient) sum. With few rows (M <= D, e.g. REDUCE's one
     * row per example) the rows are cast to float64 and DSYRK accumulates straight into the sum: cheaper than a
     * D x D product in the network's type followed by a D x D cast. With many rows (EXPAND) the product runs in the
     * network's type and is cast once.
     */
    private void addGram(INDArray x, boolean input) {
        INDArray m = Tensors.denseBuffer(x);
        long d = m.size(1);
        INDArray sum = input ? aSum : bSum;
        if (m.dataType() != DataType.FLOAT || m.size(0) <= d) {
            requireSize(sum, d, input);
            INDArray m64 = m.dataType() == DataType.DOUBLE ? m : m.castTo(DataType.DOUBLE);
            kernels.addTransposeProductUpper(m64, sum, 1.0);
            if (m64 != m) {
                m64.close();
            }
            return;
        }
        INDArray buffer = batchBuffer(input, d, m.dataType());
        kernels.addTransposeProductUpper(m, buffer, 0.0);
        addBuffer(buffer, input);
    }

    private void requireSize(INDArray sum, long d, boolean input) {
        if (sum.size(0) != d) {
            throw new IllegalArgumentException("layer '" + path + "': " + (input ? "input" : "gradient")
                    + " features " + d + " do not match the factor size " + sum.size(0));
        }
    }

    /** The preallocated D x D product buffer of the network's type, after checking D against the factor. */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    private INDArray batchBuffer(boolean input, long d, DataType type) {
        requireSize(input ? aSum : bSum, d, input);
        INDArray buffer = input ? aBatch : bBatch;
        if (buffer == null || buffer.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buffer = Nd4j.create(type, new long[] {d, d}, 'c');
            }
            if (input) {
                aBatch = buffer;
            } else {
                bBatch = buffer;
            }
        }
        return buffer;
    }

    private void addBuffer(INDArray buffer, boolean input) {
        INDArray sum = input ? aSum : bSum;
        if (buffer.dataType() == DataType.DOUBLE) {
            sum.addi(buffer);
        } else {
            INDArray cast = buffer.castTo(DataType.DOUBLE);
            sum.addi(cast);
            cast.close();
        }
    }
}
