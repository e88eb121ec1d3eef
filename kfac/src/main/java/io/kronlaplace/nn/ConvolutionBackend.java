package io.kronlaplace.nn;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels behind {@link Conv2d}: forward, input gradient alone, and input plus parameter gradients, on C-ordered
 * NCHW arrays whose shapes the caller has checked against a {@link ConvolutionGeometry}. Two implementations: oneDNN
 * 3.x with cached primitives ({@link OneDnnConvolution}, float32) and libnd4j's ops ({@link Nd4jConvolution}, every
 * type). {@link #forType} chooses; docs/convolutions.md explains why there are two.
 */
interface ConvolutionBackend {
    /** System property choosing the float32 backend: {@value #ONEDNN} (the default) or {@value #ND4J}. */
    String PROPERTY = "kronlaplace.convolution";
    /** Name of the oneDNN 3.x backend. */
    String ONEDNN = "onednn";
    /** Name of the libnd4j backend. */
    String ND4J = "nd4j";

    /**
     * The convolution {@code z = conv(x, w) + b}.
     *
     * @param g the call's shape
     * @param x input {@code [N, Cin, H, W]}
     * @param w kernel {@code [Cout, Cin, k, k]}
     * @param b bias {@code [Cout]}, or null when {@code g.bias()} is false
     * @return a new output {@code [N, Cout, Hout, Wout]} in x's type
     */
    INDArray forward(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b);

    /**
     * The input gradient alone: the transposed convolution of an output gradient with the kernel.
     *
     * @param g  the call's shape
     * @param gy output gradient {@code [N, Cout, Hout, Wout]}
     * @param w  kernel {@code [Cout, Cin, k, k]}
     * @return a new input gradient {@code [N, Cin, H, W]}
     */
    INDArray inputGradient(ConvolutionGeometry g, INDArray gy, INDArray w);

    /**
     * Input, kernel and bias gradients of one call, written into the given arrays (overwritten, not accumulated).
     *
     * @param g  the call's shape
     * @param x  the call's input {@code [N, Cin, H, W]}
     * @param w  kernel {@code [Cout, Cin, k, k]}
     * @param b  bias {@code [Cout]}, or null
     * @param gy output gradient {@code [N, Cout, Hout, Wout]}
     * @param gx receives the input gradient, x's shape
     * @param gw receives the kernel gradient, w's shape
     * @param gb receives the bias gradient {@code [Cout]}, or null when there is no bias
     */
    void gradients(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b, INDArray gy, INDArray gx, INDArray gw,
            INDArray gb);

    /**
     * The backend for arrays of one type: oneDNN for float32 unless {@value #PROPERTY} is {@value #ND4J} or oneDNN
     * could not load (a warning says why, once), libnd4j otherwise.
     *
     * @param type the input's data type
     * @return the backend to use
     * @throws IllegalArgumentException when {@value #PROPERTY} names neither backend
     */
    static ConvolutionBackend forType(DataType type) {
        if (type != DataType.FLOAT) {
            return Nd4jConvolution.INSTANCE;
        }
        if (Choice.FLOAT_BACKEND == null) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + System.getProperty(PROPERTY)
                    + " names no convolution backend; use " + ONEDNN + " (the default) or " + ND4J);
        }
        return Choice.FLOAT_BACKEND;
    }

    /** The property, read once on first use. */
    final class Choice {
        private static final Logger LOG = LoggerFactory.getLogger(ConvolutionBackend.class);
        /** The float32 backend, or null when the property names none. */
        static final ConvolutionBackend FLOAT_BACKEND = floatBackend(System.getProperty(PROPERTY));

        private Choice() {
        }

        /**
         * The float32 backend a property value names.
         *
         * @param property the value, or null when unset (oneDNN)
         * @return the backend, libnd4j's when oneDNN was asked for but could not load, or null for an unknown name
         */
        static ConvolutionBackend floatBackend(String property) {
            String value = property == null ? ONEDNN : property.trim().toLowerCase(Locale.ROOT);
            if (value.equals(ND4J)) {
                return Nd4jConvolution.INSTANCE;
            }
            if (!value.equals(ONEDNN)) {
                return null;
            }
            String failure = OneDnnConvolution.loadFailure();
            if (failure != null) {
                LOG.warn("oneDNN 3 could not load ({}); float32 convolutions use libnd4j's ops", failure);
                return Nd4jConvolution.INSTANCE;
            }
            return OneDnnConvolution.INSTANCE;
        }
    }
}
