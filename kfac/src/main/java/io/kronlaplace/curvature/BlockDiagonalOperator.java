package io.kronlaplace.curvature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A block-diagonal curvature over the concatenation of its blocks' flat parameter vectors, in block order. Each block
 * may carry its own prior precision: the posterior precision is {@code scale * H_i + delta_i * I} on block i.
 */
public final class BlockDiagonalOperator {
    private final List<CurvatureBlock> blocks;
    private final long[] offsets;

    /**
     * @param blocks the blocks in vector order; names must be unique
     * @throws IllegalArgumentException on an empty list or duplicate names
     */
    public BlockDiagonalOperator(List<? extends CurvatureBlock> blocks) {
        if (blocks == null || blocks.isEmpty()) {
            throw new IllegalArgumentException("a block-diagonal operator needs at least one block");
        }
        Set<String> names = new HashSet<>();
        for (CurvatureBlock b : blocks) {
            if (!names.add(b.name())) {
                throw new IllegalArgumentException("duplicate curvature block '" + b.name() + "'");
            }
        }
        this.blocks = List.copyOf(blocks);
        this.offsets = new long[blocks.size() + 1];
        for (int i = 0; i < blocks.size(); i++) {
            offsets[i + 1] = offsets[i] + blocks.get(i).dim();
        }
    }

    /**
     * The blocks in vector order.
     *
     * @return the unmodifiable list of blocks, block i covering entries {@code [offset(i), offset(i + 1))}
     */
    public List<CurvatureBlock> blocks() {
        return blocks;
    }

    /**
     * Total number of parameters.
     *
     * @return the sum of the blocks' dimensions, the length of every vector this operator acts on
     */
    public long dim() {
        return offsets[blocks.size()];
    }

    /**
     * Start of a block in the concatenated vector.
     *
     * @param block index of the block in {@link #blocks()}, from 0 to the number of blocks (that index gives
     *              {@link #dim()})
     * @return the index of the block's first parameter in the concatenated vector
     * @throws ArrayIndexOutOfBoundsException when {@code block} is negative or greater than the number of blocks
     */
    public long offset(int block) {
        return offsets[block];
    }

    /**
     * The curvature-vector product H v, block by block.
     *
     * @param v a vector of length {@link #dim()}, rank 1 or a single row or column, any floating type
     * @return H v as a rank-1 float64 vector of length {@link #dim()}
     * @throws IllegalArgumentException when {@code v} is null, not vector-shaped, of the wrong length or not finite
     */
    public INDArray mvp(INDArray v) {
        INDArray flat = Checks.vector(v, dim(), "block-diagonal mvp");
        return map(flat, (b, part) -> b.mvp(part));
    }

    /**
     * sum_i log det(scale H_i + delta_i I). The scale must be strictly positive: scale 0 (the prior alone) is
     * rejected rather than special-cased, because the blocks' closed forms divide by it; the prior's log determinant
     * is simply {@code sum_i dim_i * log delta_i}.
     *
     * @param scale         curvature scale 1 / (sigma^2 T), positive and finite (0 is rejected)
     * @param deltaPerBlock prior precision of each block, in block order, each positive and finite
     * @return the log determinant of the damped curvature
     * @throws IllegalArgumentException when scale is not positive and finite (0 included), a delta is not positive
     *                                  and finite, or the number of deltas differs from the number of blocks
     */
    public double logDet(double scale, double[] deltaPerBlock) {
        requireDeltas(deltaPerBlock);
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("log det(scale H + delta I) needs a positive finite scale, got " + scale
                    + " (scale 0 is not supported: the prior alone has log det sum_i dim_i * log delta_i)");
        }
        double total = 0;
        for (int i = 0; i < blocks.size(); i++) {
            total += blocks.get(i).logDet(scale, deltaPerBlock[i]);
        }
        return total;
    }

    /**
     * The trace of the damped inverse, {@code sum_i tr (scale H_i + delta_i I)^{-1}}.
     *
     * @param scale         curvature scale 1 / (sigma^2 T), positive and finite
     * @param deltaPerBlock prior precision of each block, in block order, each positive and finite
     * @return the trace of the posterior covariance {@code (scale H + diag(delta))^{-1}}
     * @throws IllegalArgumentException when scale or a delta is not positive and finite, or the number of deltas
     *                                  differs from the number of blocks
     */
    public double traceDampedInverse(double scale, double[] deltaPerBlock) {
        requireDeltas(deltaPerBlock);
        double total = 0;
        for (int i = 0; i < blocks.size(); i++) {
            total += blocks.get(i).traceDampedInverse(scale, deltaPerBlock[i]);
        }
        return total;
    }

    /**
     * The damped inverse product {@code (scale H + diag(delta))^{-1} v}, block by block.
     *
     * @param v             a vector of length {@link #dim()}, rank 1 or a single row or column
     * @param scale         curvature scale 1 / (sigma^2 T), positive and finite
     * @param deltaPerBlock prior precision of each block, in block order, each positive and finite
     * @return the product as a rank-1 float64 vector of length {@link #dim()}
     * @throws IllegalArgumentException when {@code v} is null, misshapen or not finite, scale or a delta is not
     *                                  positive and finite, or the number of deltas differs from the number of blocks
     */
    public INDArray dampedInverseMvp(INDArray v, double scale, double[] deltaPerBlock) {
        requireDeltas(deltaPerBlock);
        INDArray flat = Checks.vector(v, dim(), "block-diagonal dampedInverseMvp");
        int[] index = {0};
        return map(flat, (b, part) -> b.dampedInverseMvp(part, scale, deltaPerBlock[index[0]++]));
    }

    /**
     * The damped inverse square root product {@code (scale H + diag(delta))^{-1/2} v} with each block's symmetric
     * root; applied to a standard normal draw it gives a posterior sample's deviation from the mean.
     *
     * @param v             a vector of length {@link #dim()}, rank 1 or a single row or column
     * @param scale         curvature scale 1 / (sigma^2 T), positive and finite
     * @param deltaPerBlock prior precision of each block, in block order, each positive and finite
     * @return the product as a rank-1 float64 vector of length {@link #dim()}
     * @throws IllegalArgumentException when {@code v} is null, misshapen or not finite, scale or a delta is not
     *                                  positive and finite, or the number of deltas differs from the number of blocks
     */
    public INDArray dampedInverseSqrtMvp(INDArray v, double scale, double[] deltaPerBlock) {
        requireDeltas(deltaPerBlock);
        INDArray flat = Checks.vector(v, dim(), "block-diagonal dampedInverseSqrtMvp");
        int[] index = {0};
        return map(flat, (b, part) -> b.dampedInverseSqrtMvp(part, scale, deltaPerBlock[index[0]++]));
    }

    /**
     * The same prior precision for every block, in the form the per-block methods take.
     *
     * @param delta the prior precision to repeat; not checked here, the methods it is passed to check it
     * @return a new array holding {@code delta} once per block
     */
    public double[] uniformDeltas(double delta) {
        double[] d = new double[blocks.size()];
        Arrays.fill(d, delta);
        return d;
    }

    /**
     * The dense matrix (for tests and small networks).
     *
     * @return a new float64 {@code [dim, dim]} matrix with the blocks' dense curvatures on the diagonal, zeros elsewhere
     * @throws IllegalStateException when {@link #dim()} exceeds the dense-size limit of 16384
     */
    public INDArray dense() {
        Spectrum.requireDenseSize(dim(), "block-diagonal operator");
        INDArray out = Nd4j.zeros(DataType.DOUBLE, dim(), dim());
        for (int i = 0; i < blocks.size(); i++) {
            out.get(NDArrayIndex.interval(offsets[i], offsets[i + 1]), NDArrayIndex.interval(offsets[i],
                    offsets[i + 1])).assign(blocks.get(i).dense());
        }
        return out;
    }

    private interface BlockMap {
        INDArray apply(CurvatureBlock block, INDArray part);
    }

    private INDArray map(INDArray flat, BlockMap f) {
        List<INDArray> parts = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            INDArray part = flat.get(NDArrayIndex.interval(offsets[i], offsets[i + 1])).dup();
            parts.add(f.apply(blocks.get(i), part).reshape(1, blocks.get(i).dim()));
        }
        return Nd4j.hstack(parts.toArray(INDArray[]::new)).reshape(dim());
    }

    private void requireDeltas(double[] deltaPerBlock) {
        if (deltaPerBlock == null || deltaPerBlock.length != blocks.size()) {
            throw new IllegalArgumentException("expected one delta per block (" + blocks.size() + "), got "
                    + (deltaPerBlock == null ? "null" : deltaPerBlock.length));
        }
    }
}
