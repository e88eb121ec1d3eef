package io.kronlaplace.laplace;

import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.WeightLayer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight layer's inputs and back-propagated vectors in the shared-position layout used by all Jacobian
 * computations: {@code inputs} is {@code N x R x Din} (R shared positions per example: tokens for a Linear layer on
 * N x R x Din inputs, output locations with im2col patches for Conv2d, the zero-padded rows of each example for a
 * layer with ragged row segments; see docs/layer-layouts.md) and
 * {@code gradients} is {@code K x R x Dout} with {@code K = copies * N} copy-major. The Jacobian of output copy k
 * w.r.t. the layer's weight matrix is G_k = sum_r g[k, r] a[k mod N, r]^T and w.r.t. its bias sum_r g[k, r].
 *
 * @param inputs    layer inputs, in the network's floating type
 * @param gradients back-propagated vectors, in the network's floating type
 * @param copies    back-propagated vectors per example
 */
public record LayerSlices(INDArray inputs, INDArray gradients, int copies) {

    /**
     * Examples in the batch.
     *
     * @return the number N of examples, the first dimension of {@code inputs}
     */
    public long examples() {
        return inputs.size(0);
    }

    /**
     * Brings a layer's tapped input and output gradient into the shared-position layout through the layer's K-FAC
     * view ({@link WeightLayer#inputPositions}, {@link WeightLayer#outputMatrices}).
     *
     * @param layer      the weight layer
     * @param input      the layer's tapped input, as the forward pass saw it
     * @param gradOutput the back-propagated vectors at the layer's output, {@code copies} per example, copy-major
     * @param copies     back-propagated vectors per example, >= 1
     * @return the slices in the shared-position layout
     */
    public static LayerSlices of(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
        INDArray inputs = layer.inputPositions(input);
        INDArray gradients = layer.outputMatrices(gradOutput).positionsLast();
        RowSegments segments = layer.rowSegments(input);
        if (segments == null) {
            return new LayerSlices(inputs, gradients, copies);
        }
        // a ragged example's rows become its positions, zero-padded to the longest example (docs/graph-networks.md)
        return new LayerSlices(segments.padded(inputs, 1), segments.padded(gradients, copies), copies);
    }

    /**
     * The same slices with every S consecutive rows of the batch taken as one example whose positions are the S rows'
     * positions: {@code N*S x R x Din} inputs become {@code N x (S*R) x Din} and {@code k*N*S x R x Dout} vectors
     * become {@code k*N x (S*R) x Dout}. The Jacobians of the result sum over the S rows, which is the Jacobian of the
     * averaged model when the vectors were spread by {@link SharedRows#spread} (weight sharing over augmented copies,
     * as K-FAC treats them with {@code sharedRowsPerExample}).
     *
     * @param rowsPerExample S, at least 1 (1 returns these slices)
     * @return the folded slices
     * @throws IllegalArgumentException when S is below 1 or the batch's rows are not a multiple of S
     */
    public LayerSlices foldSharedRows(int rowsPerExample) {
        if (rowsPerExample < 1 || examples() % rowsPerExample != 0) {
            throw new IllegalArgumentException("batch of " + examples() + " rows is not a multiple of "
                    + rowsPerExample + " rows per example");
        }
        if (rowsPerExample == 1) {
            return this;
        }
        long positions = inputs.size(1) * rowsPerExample;
        INDArray folded = inputs.dup('c').reshape('c', examples() / rowsPerExample, positions, inputs.size(2));
        INDArray foldedGradients = gradients.dup('c').reshape('c', gradients.size(0) / rowsPerExample, positions,
                gradients.size(2));
        return new LayerSlices(folded, foldedGradients, copies);
    }

    /**
     * The weight Jacobian of copy k, {@code Dout x Din}, float64.
     *
     * @param k index of the output copy, from 0 to {@code K - 1}
     * @return G_k = sum_r g[k, r] a[k mod N, r]^T
     */
    public INDArray weightJacobian(int k) {
        INDArray g = gradients.slice(k).castTo(DataType.DOUBLE);
        INDArray a = inputs.slice(k % examples()).castTo(DataType.DOUBLE);
        return g.transpose().mmul(a);
    }

    /**
     * The bias Jacobian of copy k, length Dout.
     *
     * @param k index of the output copy, from 0 to {@code K - 1}
     * @return sum_r g[k, r], in the network's floating type
     */
    public INDArray biasJacobian(int k) {
        return gradients.slice(k).sum(0);
    }

    /**
     * All weight Jacobians as rows: {@code K x (Dout * Din)}, row k = row-major vec(G_k), float64.
     *
     * @return the weight Jacobians of all K copies, one per row
     */
    public INDArray weightJacobians() {
        int k = Math.toIntExact(gradients.size(0));
        long dout = gradients.size(2);
        long din = inputs.size(2);
        INDArray out = org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, k, dout * din);
        for (int i = 0; i < k; i++) {
            out.putRow(i, weightJacobian(i).reshape(dout * din));
        }
        return out;
    }

    /**
     * All bias Jacobians as rows: {@code K x Dout}, float64.
     *
     * @return the bias Jacobians of all K copies, one per row
     */
    public INDArray biasJacobians() {
        return gradients.castTo(DataType.DOUBLE).sum(1);
    }

    @Override
    public String toString() {
        return "LayerSlices" + Arrays.toString(inputs.shape()) + Arrays.toString(gradients.shape());
    }
}
