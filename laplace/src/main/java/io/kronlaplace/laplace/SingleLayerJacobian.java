package io.kronlaplace.laplace;

import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.StridedGemm;
import io.kronlaplace.nn.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Closed forms of the dense GGN and of Jacobian products for a posterior over ONE weight layer with one position per
 * example (the last Linear layer): the Jacobian of output copy k of example n is
 * {@code J_k = g_k^T (x) psi_n^T}, with g_k the back-propagated vector (length Dout) and {@code psi_n = [a_n; 1]} the
 * layer input with a 1 appended for the bias. See docs/laplace.md, section Full posterior over the last layer.
 *
 * <p>Parameters are indexed (o, i) with o the output and i an input feature, or the bias when i = Din; the flat
 * posterior order puts weight (o, i) at {@code weightOffset + o Din + i} (row-major weight) and bias o at
 * {@code biasOffset + o}. Every product is a GEMM over the examples; no per-example Jacobian is formed.
 */
final class SingleLayerJacobian {
    private final INDArray psi;
    private final double[] gradients;
    private final int examples;
    private final int copies;
    private final int dout;
    private final int din;
    private final long weightOffset;
    private final long biasOffset;

    /**
     * @param slices       the layer's inputs ({@code N x 1 x Din}) and back-propagated vectors
     * @param weightOffset flat offset of the weight group
     * @param biasOffset   flat offset of the bias group, or -1 when the layer has no bias
     */
    SingleLayerJacobian(LayerSlices slices, long weightOffset, long biasOffset) {
        if (!applies(slices)) {
            throw new IllegalArgumentException("closed-form Jacobians need one position per example, got "
                    + slices);
        }
        this.examples = Math.toIntExact(slices.examples());
        this.copies = slices.copies();
        this.din = Math.toIntExact(slices.inputs().size(2));
        this.dout = Math.toIntExact(slices.gradients().size(2));
        this.weightOffset = weightOffset;
        this.biasOffset = biasOffset;
        INDArray a = slices.inputs().reshape(examples, din).castTo(DataType.DOUBLE);
        this.psi = biasOffset < 0 ? a.dup('c') : Nd4j.hstack(a, Nd4j.ones(DataType.DOUBLE, examples, 1));
        this.gradients = slices.gradients().castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** Whether the slices have one position per example (the layout these closed forms need). */
    static boolean applies(LayerSlices slices) {
        return slices.inputs().size(1) == 1 && slices.gradients().size(1) == 1;
    }

    /** Input features Din of the layer. */
    int inputFeatures() {
        return din;
    }

    /** Outputs Dout of the layer. */
    int outputFeatures() {
        return dout;
    }

    /** Flat offset of the weight group. */
    long weightOffset() {
        return weightOffset;
    }

    /** Flat offset of the bias group, or -1 when the layer has no bias. */
    long biasOffset() {
        return biasOffset;
    }

    /** A zero buffer for {@link #addGgnBlocks}: {@code width x pairs(Dout) width}, float64. */
    INDArray zeroGgnBlocks() {
        return Nd4j.zeros(DataType.DOUBLE, width(), (long) pairs(dout) * width());
    }

    /** Columns of psi: Din, plus 1 with a bias. */
    private int width() {
        return Math.toIntExact(psi.size(1));
    }

    /** The number of output pairs o <= o', each with one weighted Gram block. */
    static int pairs(int dout) {
        return dout * (dout + 1) / 2;
    }

    /**
     * Adds this batch's weighted Grams to {@code blocks} ({@code width x pairs(Dout) width}, float64): block q of the
     * output pair (o, o'), o <= o' in row-major order, gains {@code psi^T diag(Lambda[:, o, o']) psi}, where
     * {@code Lambda_n = sum_c g_{cN+n} g_{cN+n}^T}. All pairs go through ONE GEMM {@code psi^T [w_q psi]_q}, so a fit
     * adds to a compact buffer and writes the dense GGN once ({@link #scatterGgnBlocks}) instead of per batch.
     */
    void addGgnBlocks(INDArray blocks, ComputeKernels kernels) {
        int w = width();
        int pairCount = pairs(dout);
        double[] p = psi.dup('c').data().asDouble();
        double[] weighted = new double[examples * pairCount * w];
        for (int n = 0; n < examples; n++) {
            int q = 0;
            for (int o = 0; o < dout; o++) {
                for (int o2 = o; o2 < dout; o2++) {
                    double weight = 0;
                    for (int c = 0; c < copies; c++) {
                        int row = (c * examples + n) * dout;
                        weight += gradients[row + o] * gradients[row + o2];
                    }
                    int base = (n * pairCount + q) * w;
                    for (int j = 0; j < w; j++) {
                        weighted[base + j] = weight * p[n * w + j];
                    }
                    q++;
                }
            }
        }
        INDArray y = Nd4j.create(weighted, new long[] {examples, (long) pairCount * w}, 'c');
        kernels.gemm(psi, y, blocks, true, false, 1.0, 1.0);
    }

    /**
     * Adds the accumulated blocks of {@link #addGgnBlocks} to the dense GGN: block (o, o') and its transpose at
     * (o', o), split into the weight, weight-bias and bias entries of the flat order.
     *
     * @param blocks       {@code width x pairs(dout) width}, width = din (+ 1 with a bias)
     * @param hessian      the dense {@code dim x dim} GGN, float64
     * @param weightOffset flat offset of the weight group
     * @param biasOffset   flat offset of the bias group, or -1 when the layer has no bias
     */
    static void scatterGgnBlocks(INDArray blocks, INDArray hessian, int din, int dout, long weightOffset,
                                 long biasOffset) {
        int w = Math.toIntExact(blocks.size(0));
        int q = 0;
        for (int o = 0; o < dout; o++) {
            for (int o2 = o; o2 < dout; o2++) {
                // a compact copy: ND4J mis-indexes point indices into a column range of a wider array
                INDArray block = blocks.get(NDArrayIndex.all(), NDArrayIndex.interval((long) q * w, (long) (q + 1) * w))
                        .dup('c');
                addBlock(hessian, o, o2, block, din, weightOffset, biasOffset);
                if (o2 != o) {
                    addBlock(hessian, o2, o, block.transpose(), din, weightOffset, biasOffset);
                }
                q++;
            }
        }
    }

    /** hessian[rows of output o, columns of output p] += block ({@code width x width}). */
    private static void addBlock(INDArray hessian, int o, int p, INDArray block, int din, long weightOffset,
                                 long biasOffset) {
        INDArrayIndex weightsOfO = NDArrayIndex.interval(weightOffset + (long) o * din, weightOffset + (long) (o + 1) * din);
        INDArrayIndex weightsOfP = NDArrayIndex.interval(weightOffset + (long) p * din, weightOffset + (long) (p + 1) * din);
        INDArrayIndex features = NDArrayIndex.interval(0, din);
        hessian.get(weightsOfO, weightsOfP).addi(block.get(features, features));
        if (biasOffset >= 0) {
            INDArrayIndex last = NDArrayIndex.point(din);
            hessian.get(weightsOfO, NDArrayIndex.point(biasOffset + p)).addi(block.get(features, last));
            hessian.get(NDArrayIndex.point(biasOffset + o), weightsOfP).addi(block.get(last, features));
            long r = biasOffset + o;
            long q = biasOffset + p;
            hessian.putScalar(r, q, hessian.getDouble(r, q) + block.getDouble(din, din));
        }
    }

    /**
     * {@code J R} for a matrix R ({@code dim x cols}, float64) by example: {@code [N, copies, cols]} whose row (n, c)
     * is {@code sum_o g_{cN+n}[o] psi_n^T R_o}, with R_o the rows of R that belong to output o (its Din weights and
     * its bias). The products {@code psi R_o} of all examples are one GEMM per output read straight from R's rows
     * into an {@code [N, Dout, cols]} buffer, and each example's {@code copies x Dout} gradient block then multiplies
     * its {@code Dout x cols} block: no row of R is copied, and the class sums are products, not passes over memory.
     *
     * @param r the matrix, {@code dim x cols}, float64
     * @return {@code [N, copies, cols]}, example-major, float64
     */
    INDArray timesByExample(INDArray r) {
        INDArray root = Tensors.denseBuffer(r);
        int cols = Math.toIntExact(root.size(1));
        int w = width();
        INDArray inputs = Tensors.denseBuffer(psi);
        INDArray projected = Nd4j.createUninitialized(DataType.DOUBLE, examples, dout, cols);
        for (int o = 0; o < dout; o++) {
            long at = (long) o * cols;
            StridedGemm.gemm(false, false, examples, cols, din, 1.0, inputs, 0, w, root,
                    (weightOffset + (long) o * din) * cols, cols, 0.0, projected, at, dout * cols);
            if (biasOffset >= 0) {
                // the bias column of psi (all ones) times the bias row of R
                StridedGemm.gemm(false, false, examples, cols, 1, 1.0, inputs, din, w, root,
                        (biasOffset + o) * cols, cols, 1.0, projected, at, dout * cols);
            }
        }
        double[] byExample = new double[examples * copies * dout];
        for (int c = 0; c < copies; c++) {
            for (int n = 0; n < examples; n++) {
                System.arraycopy(gradients, (c * examples + n) * dout, byExample, (n * copies + c) * dout, dout);
            }
        }
        INDArray g = Nd4j.create(byExample, new long[] {examples, copies, dout}, 'c');
        INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, examples, copies, cols);
        for (int n = 0; n < examples; n++) {
            StridedGemm.gemm(false, false, copies, cols, dout, 1.0, g, (long) n * copies * dout, dout, projected,
                    (long) n * dout * cols, cols, 0.0, out, (long) n * copies * cols, cols);
        }
        return out;
    }
}
