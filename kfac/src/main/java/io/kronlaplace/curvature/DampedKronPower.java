package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The damped power (s B (x) A + delta I)^p of one layer's Kronecker block at fixed (s, delta, p), in one floating
 * type, applied to stacks of K matrices W_k (Dout x Din, row-major vec) at once:
 * {@code W_k -> Q_B [(Q_B^T W_k Q_A) o (s l_B l_A^T + delta)^p] Q_A^T}. Made by {@link KronEigenbasis#power}; see
 * docs/kronecker-eigenbasis.md, section Damped powers.
 *
 * <p>Immutable. The products are {@link ComputeKernels#gemm} calls into the caller's output and two temporaries: a
 * {@link Scratch} the caller keeps (nothing allocated per call), or arrays created per call, which come from the
 * arena when the caller has opened a workspace. One matrix costs 4 GEMMs, 4 Dout Din (Dout + Din) flops; a stack of
 * K > 1 runs as 4 GEMMs over the whole stack plus two transposing copies.
 */
public final class DampedKronPower {
    private final long outFeatures;
    private final long inFeatures;
    private final DataType type;
    private final INDArray qa;
    private final INDArray qb;
    private final INDArray grid;
    private final INDArray transposedGridRow;
    private final ComputeKernels kernels;

    DampedKronPower(INDArray qa, INDArray qb, INDArray doubleGrid, DataType type, ComputeKernels kernels) {
        this.type = type;
        this.kernels = kernels;
        this.outFeatures = qb.size(0);
        this.inFeatures = qa.size(0);
        this.qa = qa.dataType() == type ? qa : qa.castTo(type);
        this.qb = qb.dataType() == type ? qb : qb.castTo(type);
        this.grid = doubleGrid.dataType() == type ? doubleGrid : doubleGrid.castTo(type);
        this.transposedGridRow = grid.transpose().dup('c').reshape(1, outFeatures * inFeatures);
    }

    /**
     * The floating type of the inputs and outputs this power accepts.
     *
     * @return the type the eigenbases and scaling grid are held in, which inputs and outputs must share
     */
    public DataType dataType() {
        return type;
    }

    /**
     * The layer's output width.
     *
     * @return Dout, the number of rows of each weight matrix and the size of the output-side factor B
     */
    public long outFeatures() {
        return outFeatures;
    }

    /**
     * The layer's input width.
     *
     * @return Din, the number of columns of each weight matrix and the size of the input-side factor A
     */
    public long inFeatures() {
        return inFeatures;
    }

    /**
     * The number of values in one matrix of a stack.
     *
     * @return Dout * Din, the length of one vec(W)
     */
    public long dim() {
        return outFeatures * inFeatures;
    }

    /**
     * The scaling of the eigenbasis coordinates.
     *
     * @return a new {@code [Dout, Din]} array in this power's type with entry (i, j) = (s l_B,i l_A,j + delta)^p
     */
    public INDArray grid() {
        return grid.dup();
    }

    /**
     * The eigenvectors of the input-side factor A.
     *
     * @return a new {@code [Din, Din]} copy of Q_A in this power's type, one eigenvector per column
     */
    public INDArray qa() {
        return qa.dup();
    }

    /**
     * The eigenvectors of the output-side factor B.
     *
     * @return a new {@code [Dout, Dout]} copy of Q_B in this power's type, one eigenvector per column
     */
    public INDArray qb() {
        return qb.dup();
    }

    /**
     * Temporaries for {@link #apply(INDArray, INDArray, Scratch)}, to be kept and reused by a caller that applies
     * the power many times.
     *
     * @param count K, the number of matrices in the stacks the scratch will serve; at least 1
     * @return two new arrays of K * Dout * Din values in this power's type
     * @throws IllegalArgumentException when {@code count} is below 1
     */
    public Scratch newScratch(long count) {
        if (count < 1) {
            throw new IllegalArgumentException("a scratch holds at least one matrix, got " + count);
        }
        return new Scratch(Nd4j.create(type, count * dim()), Nd4j.create(type, count * dim()));
    }

    /**
     * The power applied to each matrix of a stack, into a new array.
     *
     * @param in K matrices, any shape of K * Dout * Din elements read in C order (e.g. [K, Dout, Din]), in this
     *           power's type; not null
     * @return a new array of the input's shape and type holding the transformed matrices
     * @throws IllegalArgumentException when the type or the number of elements does not fit
     * @see #apply(INDArray, INDArray)
     */
    public INDArray apply(INDArray in) {
        INDArray out = Nd4j.create(type, in.shape());
        apply(in, out);
        return out;
    }

    /**
     * The power applied to each matrix of a stack, temporaries created per call (in the open workspace, if any).
     *
     * @param in  K matrices, any shape of K * Dout * Din elements read in C order (e.g. [K, Dout, Din], [K, Dout *
     *            Din], or a vector for K = 1), this power's type
     * @param out destination of the same shape and type, C-ordered and dense; may be {@code in} itself
     * @throws IllegalArgumentException when types, shapes or the output's layout do not fit
     */
    public void apply(INDArray in, INDArray out) {
        long count = count(in, out);
        apply(in, out, count, Nd4j.create(type, count * dim()), Nd4j.create(type, count * dim()));
    }

    /**
     * The power applied to each matrix of a stack, with the caller's temporaries: nothing is allocated.
     *
     * @param in      K matrices, any shape of K * Dout * Din elements read in C order, this power's type
     * @param out     destination of the same shape and type, C-ordered and dense; may be {@code in} itself
     * @param scratch from {@link #newScratch} of this power or another of the same type and sizes, for the same K
     * @throws IllegalArgumentException when types, shapes or the output's layout do not fit, or the scratch was made
     *                                  for another type or stack size
     * @see #apply(INDArray, INDArray)
     */
    public void apply(INDArray in, INDArray out, Scratch scratch) {
        long count = count(in, out);
        if (scratch.first.dataType() != type || scratch.first.length() != count * dim()) {
            throw new IllegalArgumentException("scratch holds " + scratch.first.length() + " "
                    + scratch.first.dataType() + " values, a stack of " + count + " needs " + count * dim() + " "
                    + type);
        }
        apply(in, out, count, scratch.first, scratch.second);
    }

    private void apply(INDArray in, INDArray out, long count, INDArray first, INDArray second) {
        long dout = outFeatures;
        long din = inFeatures;
        INDArray input = Tensors.isContiguous(in) ? in : in.dup('c');
        if (count == 1) {
            INDArray w = input.reshape('c', dout, din);
            INDArray t1 = first.reshape('c', dout, din);
            INDArray t2 = second.reshape('c', dout, din);
            kernels.gemm(qb, w, t1, true, false, 1.0, 0.0);
            kernels.gemm(t1, qa, t2, false, false, 1.0, 0.0);
            t2.muli(grid);
            kernels.gemm(qb, t2, t1, false, false, 1.0, 0.0);
            kernels.gemm(t1, qa, out.reshape('c', dout, din), false, true, 1.0, 0.0);
            return;
        }
        // X_k = W_k Q_A for the whole stack; then per matrix (Q_B^T X_k)^T = X_k^T Q_B, laid out K x Din x Dout
        kernels.gemm(input.reshape('c', count * dout, din), qa, first.reshape('c', count * dout, din), false, false,
                1.0, 0.0);
        second.reshape('c', count, din, dout).assign(first.reshape('c', count, dout, din).permute(0, 2, 1));
        kernels.gemm(second.reshape('c', count * din, dout), qb, first.reshape('c', count * din, dout), false, false,
                1.0, 0.0);
        first.reshape('c', count, din * dout).muliRowVector(transposedGridRow);
        // back: (Q_B Z_k)^T = Z_k^T Q_B^T, transposed to K x Dout x Din, then times Q_A^T
        kernels.gemm(first.reshape('c', count * din, dout), qb, second.reshape('c', count * din, dout), false, true,
                1.0, 0.0);
        first.reshape('c', count, dout, din).assign(second.reshape('c', count, din, dout).permute(0, 2, 1));
        kernels.gemm(first.reshape('c', count * dout, din), qa, out.reshape('c', count * dout, din), false, true, 1.0,
                0.0);
    }

    private long count(INDArray in, INDArray out) {
        if (in == null || out == null) {
            throw new IllegalArgumentException("input and output stacks are required");
        }
        if (in.dataType() != type || out.dataType() != type) {
            throw new IllegalArgumentException("input is " + in.dataType() + " and output " + out.dataType()
                    + ", this power was built for " + type);
        }
        if (in.length() == 0 || in.length() % dim() != 0) {
            throw new IllegalArgumentException("input of shape " + Arrays.toString(in.shape()) + " is not a stack of "
                    + outFeatures + " x " + inFeatures + " matrices");
        }
        if (!Arrays.equals(in.shape(), out.shape())) {
            throw new IllegalArgumentException("output buffer has shape " + Arrays.toString(out.shape())
                    + ", the input " + Arrays.toString(in.shape()));
        }
        if (!Tensors.isContiguous(out)) {
            throw new IllegalArgumentException("output buffer must be dense in C order (not a strided view)");
        }
        return in.length() / dim();
    }

    /** Two temporaries of K * Dout * Din values for {@link #apply(INDArray, INDArray, Scratch)}. */
    public static final class Scratch {
        private final INDArray first;
        private final INDArray second;

        private Scratch(INDArray first, INDArray second) {
            this.first = first;
            this.second = second;
        }
    }
}
