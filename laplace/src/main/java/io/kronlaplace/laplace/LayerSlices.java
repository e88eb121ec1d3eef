package io.kronlaplace.laplace;

import io.kronlaplace.nn.PositionMatrices;
import io.kronlaplace.nn.RowSegments;
import io.kronlaplace.nn.WeightLayer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight layer's inputs and back-propagated vectors at its shared positions, the layout used by all Jacobian
 * computations: N input matrices over R positions with Din features each (R shared positions per example: tokens for a
 * Linear layer on N x R x Din inputs, output locations with im2col patches for Conv2d, the zero-padded rows of each
 * example for a layer with ragged row segments; see docs/layer-layouts.md) and {@code K = copies * N} back-propagated
 * vectors over the same positions with Dout features each, copy-major. The Jacobian of output copy k w.r.t. the
 * layer's weight matrix is G_k = sum_r g[k, r] a[k mod N, r]^T and w.r.t. its bias sum_r g[k, r].
 *
 * <p>Both are held in the layer's own orientation ({@link #inputMatrices}, {@link #gradientMatrices}: a Conv2d's are
 * features by positions, as im2col and NCHW lay them out), so that code multiplying them reads either orientation
 * through a transpose flag instead of a transposing copy; {@link #inputs} and {@link #gradients} give the common
 * positions-last layout, copied once on first use where the orientation differs.
 */
public final class LayerSlices {
    private final PositionMatrices inputMatrices;
    private final PositionMatrices gradientMatrices;
    private final int copies;
    private INDArray inputs;
    private INDArray gradients;

    /**
     * Holds the two stacks (not copied).
     *
     * @param inputMatrices    the N input matrices, in the network's floating type
     * @param gradientMatrices the K = copies * N back-propagated vectors' matrices, copy-major, in the same type
     * @param copies           back-propagated vectors per example, at least 1
     * @throws IllegalArgumentException when the stacks disagree on the positions, or K is not copies * N
     */
    public LayerSlices(PositionMatrices inputMatrices, PositionMatrices gradientMatrices, int copies) {
        if (copies < 1 || gradientMatrices.rows() != (long) copies * inputMatrices.rows()
                || gradientMatrices.positions() != inputMatrices.positions()) {
            throw new IllegalArgumentException("slices of " + inputMatrices.rows() + " examples over "
                    + inputMatrices.positions() + " positions cannot hold " + gradientMatrices.rows() + " vectors over "
                    + gradientMatrices.positions() + " positions with " + copies + " copies per example");
        }
        this.inputMatrices = inputMatrices;
        this.gradientMatrices = gradientMatrices;
        this.copies = copies;
    }

    /**
     * Examples in the batch.
     *
     * @return the number N of examples, the first dimension of the inputs
     */
    public long examples() {
        return inputMatrices.rows();
    }

    /**
     * Back-propagated vectors per example.
     *
     * @return the number of copies, at least 1
     */
    public int copies() {
        return copies;
    }

    /**
     * The input matrices in the layer's own orientation.
     *
     * @return N matrices, {@code [N, R, Din]} or {@code [N, Din, R]}
     */
    public PositionMatrices inputMatrices() {
        return inputMatrices;
    }

    /**
     * The back-propagated vectors' matrices in the layer's own orientation, copy-major.
     *
     * @return K matrices, {@code [K, R, Dout]} or {@code [K, Dout, R]}
     */
    public PositionMatrices gradientMatrices() {
        return gradientMatrices;
    }

    /**
     * The inputs positions-last.
     *
     * @return {@code [N, R, Din]}, in the network's floating type (made on the first call when the layer's
     *         orientation differs)
     */
    public INDArray inputs() {
        if (inputs == null) {
            inputs = inputMatrices.positionsLast();
        }
        return inputs;
    }

    /**
     * The back-propagated vectors positions-last, copy-major.
     *
     * @return {@code [K, R, Dout]}, in the network's floating type (made on the first call when the layer's
     *         orientation differs)
     */
    public INDArray gradients() {
        if (gradients == null) {
            gradients = gradientMatrices.positionsLast();
        }
        return gradients;
    }

    /**
     * Brings a layer's tapped input and output gradient into the shared-position layout through the layer's K-FAC
     * view ({@link WeightLayer#inputMatrices}, {@link WeightLayer#outputMatrices}).
     *
     * @param layer      the weight layer
     * @param input      the layer's tapped input, as the forward pass saw it
     * @param gradOutput the back-propagated vectors at the layer's output, {@code copies} per example, copy-major
     * @param copies     back-propagated vectors per example, >= 1
     * @return the slices in the shared-position layout
     */
    public static LayerSlices of(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
        RowSegments segments = layer.rowSegments(input);
        if (segments == null) {
            return new LayerSlices(layer.inputMatrices(input), layer.outputMatrices(gradOutput), copies);
        }
        // a ragged example's rows become its positions, zero-padded to the longest example (docs/graph-networks.md)
        return new LayerSlices(positionsByFeatures(segments.padded(layer.inputPositions(input), 1)),
                positionsByFeatures(segments.padded(layer.outputMatrices(gradOutput).positionsLast(), copies)),
                copies);
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
        INDArray a = inputs();
        INDArray g = gradients();
        long positions = a.size(1) * rowsPerExample;
        INDArray folded = a.dup('c').reshape('c', examples() / rowsPerExample, positions, a.size(2));
        INDArray foldedGradients = g.dup('c').reshape('c', g.size(0) / rowsPerExample, positions, g.size(2));
        return new LayerSlices(positionsByFeatures(folded), positionsByFeatures(foldedGradients), copies);
    }

    /**
     * The weight Jacobian of copy k, {@code Dout x Din}, float64.
     *
     * @param k index of the output copy, from 0 to {@code K - 1}
     * @return G_k = sum_r g[k, r] a[k mod N, r]^T
     */
    public INDArray weightJacobian(int k) {
        INDArray g = gradients().slice(k).castTo(DataType.DOUBLE);
        INDArray a = inputs().slice(k % examples()).castTo(DataType.DOUBLE);
        return g.transpose().mmul(a);
    }

    /**
     * The bias Jacobian of copy k, length Dout.
     *
     * @param k index of the output copy, from 0 to {@code K - 1}
     * @return sum_r g[k, r], in the network's floating type
     */
    public INDArray biasJacobian(int k) {
        return gradients().slice(k).sum(0);
    }

    /**
     * All weight Jacobians as rows: {@code K x (Dout * Din)}, row k = row-major vec(G_k), float64.
     *
     * @return the weight Jacobians of all K copies, one per row
     */
    public INDArray weightJacobians() {
        int k = Math.toIntExact(gradientMatrices.rows());
        long dout = gradientMatrices.features();
        long din = inputMatrices.features();
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
        return new PositionMatrices(gradientMatrices.values().castTo(DataType.DOUBLE), gradientMatrices.orientation())
                .sumOverPositions();
    }

    private static PositionMatrices positionsByFeatures(INDArray values) {
        return new PositionMatrices(values, PositionMatrices.Orientation.POSITIONS_BY_FEATURES);
    }

    @Override
    public String toString() {
        return "LayerSlices" + Arrays.toString(inputMatrices.values().shape()) + inputMatrices.orientation()
                + Arrays.toString(gradientMatrices.values().shape()) + gradientMatrices.orientation();
    }
}
