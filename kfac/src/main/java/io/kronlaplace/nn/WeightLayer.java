package io.kronlaplace.nn;

/**
 * A layer computing z = W a (+ b) at every shared position: {@link Linear} (positions = tokens, nodes, samples) and
 * {@link Conv2d} (positions = output locations, a = im2col patch). The curvature engine Kronecker-factors its weight.
 *
 * <p>The weight, viewed as a matrix, is {@code outFeatures x inFeatures} in row-major order; for Conv2d the input
 * features are ordered (channel, kernel row, kernel column), as in the kernel's {@code [Cout, Cin, kh, kw]} layout.
 */
public interface WeightLayer {
    Parameter weight();

    /** The bias, or null when the layer has none. */
    Parameter bias();

    /** Columns of the weight matrix (Din; Cin * kh * kw for Conv2d). */
    long inFeatures();

    /** Rows of the weight matrix (Dout; Cout for Conv2d). */
    long outFeatures();

    /** The full dotted name of this layer in its network, set when the network is assembled ("" at the root). */
    String path();
}
