package io.kronlaplace.nn;

import io.kronlaplace.linalg.ComputeKernels;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer computing z = W a (+ b) at every shared position: {@link Linear} (positions = tokens, nodes, samples) and
 * {@link Conv2d} (positions = output locations, a = im2col patch). The curvature engine Kronecker-factors its weight.
 *
 * <p>The weight, viewed as a matrix, is {@code outFeatures x inFeatures} in row-major order; for Conv2d the input
 * features are ordered (channel, kernel row, kernel column), as in the kernel's {@code [Cout, Cin, kh, kw]} layout.
 *
 * <p><b>K-FAC view.</b> Every weight layer states, for a batch of N input rows, the R positions each row shares the
 * weight over, its input {@code a[n, r]} (length Din) and output {@code z[n, r] = W a[n, r] + b} (length Dout) at each
 * of them, the mean input over positions, and the adjoint of the input-to-positions map. Curvature and
 * marginal-likelihood code works only through these methods, never through a concrete layer class; a new layer type
 * implements them and nothing else has to change. A layer that cannot provide one of them throws an
 * {@link UnsupportedOperationException} naming itself. See docs/layer-layouts.md for what R means per layer, how K-FAC
 * EXPAND and REDUCE use the view, and the settings in which each is exact.
 */
public interface WeightLayer {
    /**
     * The weight that K-FAC Kronecker-factors.
     *
     * @return the live weight parameter: {@code [outFeatures, inFeatures]} for Linear, {@code [Cout, Cin, kh, kw]}
     *         for Conv2d
     */
    Parameter weight();

    /**
     * The bias, or null when the layer has none.
     *
     * @return the live bias parameter of length {@link #outFeatures()}, or null
     */
    Parameter bias();

    /**
     * Columns of the weight matrix (Din; Cin * kh * kw for Conv2d).
     *
     * @return Din, the length of one input position {@code a[n, r]}
     */
    long inFeatures();

    /**
     * Rows of the weight matrix (Dout; Cout for Conv2d).
     *
     * @return Dout, the length of one output position {@code z[n, r]}
     */
    long outFeatures();

    /**
     * The full dotted name of this layer in its network, set when the network is assembled ("" at the root).
     *
     * @return the path, such as {@code "block1.conv1"}
     */
    String path();

    /**
     * Positions R that each row of {@code input} shares the weight over: 1 for a Linear layer on {@code N x Din},
     * R for {@code N x R x Din}, {@code Hout * Wout} for Conv2d.
     *
     * @param input a forward input of this layer (N rows along dimension 0)
     * @return R, at least 1
     * @throws IllegalArgumentException when the input does not fit the layer
     */
    long positions(INDArray input);

    /**
     * The input at every position, {@code [N, R, Din]} in the input's type, so that
     * {@code z[n, r] = W a[n, r] + b}. May be a view of {@code input} (Linear) or a new array of N R Din values
     * (Conv2d: the im2col patches); for bounded memory use {@link #forEachInputChunk}.
     *
     * @param input a forward input of this layer (N rows along dimension 0)
     * @return the positions {@code [N, R, Din]}
     * @throws IllegalArgumentException when the input does not fit the layer
     */
    INDArray inputPositions(INDArray input);

    /**
     * The input at every position in the layer's own orientation, as {@link #outputMatrices} gives the outputs:
     * {@code [N, R, Din]} (Linear: a view of the input) or {@code [N, Din, R]} (Conv2d: the im2col patches as libnd4j
     * lays them out, without the transposing copy that {@link #inputPositions} makes). Code that multiplies the
     * positions with other matrices reads either orientation through a transpose flag.
     *
     * @param input a forward input of this layer (N rows along dimension 0)
     * @return the positions; {@link PositionMatrices#positionsLast} equals {@link #inputPositions}
     * @throws IllegalArgumentException when the input does not fit the layer
     */
    PositionMatrices inputMatrices(INDArray input);

    /**
     * The adjoint of {@link #inputPositions}: for values {@code [N, R, Din]} laid out like the positions of an input
     * of shape {@code inputShape}, the input-shaped array P^T v with {@code <P x, v> = <x, P^T v>} for every x. It
     * folds per-position weights back into input space, so that a sum over positions of many inputs becomes one inner
     * product with the input. In the values' type; may share their memory.
     *
     * @param values     per-position values {@code [N, R, Din]}
     * @param inputShape the shape of the forward input whose positions the values are laid out like
     * @return an array of shape {@code inputShape}
     * @throws IllegalArgumentException when the values' shape does not match {@code inputShape}
     */
    INDArray inputPositionsAdjoint(INDArray values, long[] inputShape);

    /**
     * The mean input over positions, {@code [N, Din]} in the input's type: {@code 1/R sum_r a[n, r]}, computed without
     * materialising the positions (Conv2d uses strided box sums of the image). Linear in the input, so it also maps
     * input tangents to mean-input tangents.
     *
     * @param input a forward input of this layer, or a tangent of one (N rows along dimension 0)
     * @return the mean over positions {@code [N, Din]}, the input itself when it already is {@code [N, Din]}
     * @throws IllegalArgumentException when the input does not fit the layer
     */
    INDArray meanInput(INDArray input);

    /**
     * Hands the input positions to {@code visitor} in consecutive chunks of whole rows, in the layer's own
     * orientation, materialising at most {@code maxElements} values at a time (at least one row); a layer whose
     * positions are a view of its input passes one chunk. A chunk is valid only during the call: its memory may be
     * freed as soon as the visitor returns.
     *
     * @param input       a forward input of this layer (N rows along dimension 0)
     * @param maxElements upper bound on the values of one materialised chunk
     * @param visitor     called once per chunk, in row order, with that chunk's rows' positions
     * @throws IllegalArgumentException when the input does not fit the layer or maxElements is not positive
     */
    void forEachInputChunk(INDArray input, long maxElements, Consumer<PositionMatrices> visitor);

    /**
     * Writes the K-FAC-expand input Gram {@code sum_n sum_r a[n, r] a[n, r]^T} when the layer can form it more
     * cheaply than by materialising its positions; the default cannot. Every entry of the target is written, in the
     * input's type.
     *
     * @param input       a forward input of this layer (N rows along dimension 0)
     * @param maxElements upper bound on the values of any copy of the input held at once (at least one row)
     * @param target      supplies the array to write, Din x Din, dense C order, of the input's floating type; asked
     *                    only when the layer forms the Gram, so a caller's buffer is not allocated for nothing
     * @param kernels     the kernels that run the products
     * @return true when the target holds the Gram; false when the target was not asked for and the caller sums over
     *         {@link #forEachInputChunk}
     * @throws IllegalArgumentException when the input does not fit the layer or the target does not fit the input
     */
    default boolean inputGram(INDArray input, long maxElements, Supplier<INDArray> target, ComputeKernels kernels) {
        return false;
    }

    /**
     * An output-shaped array (the forward output, or K back-propagated vectors) as per-row matrices over the output
     * positions, in the layer's own orientation and a view where the layout allows.
     * {@link PositionMatrices#positionsLast} gives {@code [K, R, Dout]} aligned with {@link #inputPositions};
     * {@link PositionMatrices#sumOverPositions} gives what K-FAC REDUCE needs.
     *
     * @param outputLike an array laid out like this layer's forward output: K rows along dimension 0
     * @return K matrices over the R output positions with Dout features each
     * @throws IllegalArgumentException when the array does not have this layer's output layout
     */
    PositionMatrices outputMatrices(INDArray outputLike);

    /**
     * How the rows of {@code input} group into examples when an example owns a varying number of rows (the nodes or
     * edges of one graph in a graph batch), or null when every row is its own example (possibly grouped into equal
     * shares by the curvature engine's {@code sharedRowsPerExample}). K-FAC REDUCE then averages inputs and sums
     * back-propagated vectors over each segment; see docs/graph-networks.md, section "Ragged positions".
     *
     * @param input a forward input of this layer (N rows along dimension 0)
     * @return the segments of the input's rows, or null when each row is an example
     * @throws IllegalArgumentException when the input does not fit the layer or its segments
     */
    default RowSegments rowSegments(INDArray input) {
        return null;
    }

    /**
     * Whether a batch may pass through this layer in chunks of its rows (examples), with results equal to one pass:
     * true unless the layer reads state that describes the whole batch, such as row segments supplied for the coming
     * batch. The curvature engine and the predictives cut batches with many back-propagated vectors into chunks only
     * when every weight layer allows it.
     *
     * @return true when the layer's rows pass independently of the rest of the batch
     */
    default boolean rowsPassIndependently() {
        return true;
    }
}
