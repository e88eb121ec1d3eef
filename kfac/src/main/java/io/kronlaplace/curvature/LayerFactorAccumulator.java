package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Tensors;
import io.kronlaplace.nn.WeightLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Running Kronecker-factor sums of one weight layer. Batch Gram matrices are computed by SYRK (upper triangle only,
 * see {@link ComputeKernels}), in float64 straight into the sums when a batch has few rows, else in the
 * network's floating type into preallocated buffers that are added into the float64 sums, so many mini-batches lose
 * no precision. Reading the factors mirrors the upper triangle and divides A by the total count (examples for REDUCE,
 * example-positions for EXPAND).
 */
final class LayerFactorAccumulator {
    /** The largest unfolded patch matrix EXPAND builds at once (elements); larger batches are processed in chunks. */
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
     * Adds one backward pass's contribution.
     *
     * @param input      the layer's forward input, N rows
     * @param gradOutput back-propagated vectors at its output, copies * N rows, copy-major
     */
    void add(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
        if (input.size(0) % shared != 0) {
            throw new IllegalArgumentException("layer '" + path + "': " + input.size(0)
                    + " input rows are not a multiple of sharedRowsPerExample=" + shared);
        }
        if (layer instanceof Conv2d conv) {
            addConv(conv, input, gradOutput);
        } else if (layer instanceof Linear) {
            addLinear(input, gradOutput);
        } else {
            throw new IllegalStateException("layer '" + path + "': K-FAC supports Linear and Conv2d weight layers, got "
                    + layer.getClass().getSimpleName());
        }
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

    /** (A, B) normalised for the summed loss; A divided by the total count. */
    KronFactors factors() {
        if (aCount == 0) {
            throw new IllegalStateException("layer '" + path + "' has seen no data");
        }
        return KronFactors.owned(path, kernels.mirrorUpper(aSum.div(aCount)),
                kernels.mirrorUpper(bSum.dup('c')), flavour);
    }

    private void addLinear(INDArray a, INDArray g) {
        if (a.rank() == 2) {
            // One position per row: EXPAND and REDUCE differ only through shared rows.
            if (flavour == KfacFlavour.EXPAND || shared == 1) {
                addGram(a, true);
                addGram(g, false);
                aCount += a.size(0);
            } else {
                addGram(groupMean(a), true);
                addGram(groupSum(g), false);
                aCount += a.size(0) / shared;
            }
            return;
        }
        long positions = a.size(1);
        if (flavour == KfacFlavour.EXPAND) {
            addGram(a.reshape(a.size(0) * positions, a.size(2)), true);
            addGram(g.reshape(g.size(0) * positions, g.size(2)), false);
            aCount += a.size(0) * positions;
        } else {
            addGram(groupMean(a.mean(1)), true);
            addGram(groupSum(g.sum(1)), false);
            aCount += a.size(0) / shared;
        }
    }

    private void addConv(Conv2d conv, INDArray x, INDArray g) {
        long n = x.size(0);
        long positions = g.size(2) * g.size(3);
        if (flavour == KfacFlavour.EXPAND) {
            long din = conv.inFeatures();
            long chunk = Math.max(1, MAX_UNFOLDED_ELEMENTS / (positions * din));
            // the unfolded chunks are freed one by one: inside a workspace they would all stay until it closes
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                for (long start = 0; start < n; start += chunk) {
                    long end = Math.min(n, start + chunk);
                    INDArray columns = ConvColumns.unfold(conv, rows(x, start, end));
                    addExampleGrams(columns.reshape(end - start, din, positions), true);
                    columns.close();
                }
            }
            INDArray gc = Tensors.denseBuffer(g);
            addExampleGrams(gc.reshape(gc.size(0), gc.size(1), positions), false);
            aCount += n * positions;
        } else {
            addGram(groupMean(ConvPatchMean.of(conv, x)), true);
            addGram(groupSum(g.sum(2, 3)), false);
            aCount += n / shared;
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
        for (long i = 0; i < stack.size(0); i++) {
            kernels.addProductOfUpper(stack, i, buffer, i == 0 ? 0.0 : 1.0);
        }
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

    private static INDArray rows(INDArray x, long start, long end) {
        if (start == 0 && end == x.size(0)) {
            return x;
        }
        INDArrayIndex[] idx = new INDArrayIndex[x.rank()];
        idx[0] = NDArrayIndex.interval(start, end);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return x.get(idx);
    }
}
