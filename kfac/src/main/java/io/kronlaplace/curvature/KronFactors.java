package io.kronlaplace.curvature;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two Kronecker factors of one weight layer, GGN_W ~ B (x) A for row-major vec(W), scaled in the paper's convention
 * for the SUMMED loss over all examples seen (see docs/kfac.md, section Normalisation): A is an average over examples
 * (and positions for EXPAND), B a sum. Only the product B (x) A is convention-free. Immutable: the arrays are private
 * float64 copies and the getters return copies.
 */
public final class KronFactors {
    private final String layerPath;
    private final INDArray a;
    private final INDArray b;
    private final KfacFlavour flavour;

    /**
     * @param layerPath dotted path of the layer in its network ("" for a root layer)
     * @param a         input factor, Din x Din
     * @param b         output-gradient factor, Dout x Dout
     * @param flavour   the flavour that produced them
     * @throws IllegalArgumentException on non-square factors or NaN/infinite entries
     */
    public KronFactors(String layerPath, INDArray a, INDArray b, KfacFlavour flavour) {
        this(layerPath, Checks.squareFinite(a, "factor A of layer '" + layerPath + "'").dup('c'),
                Checks.squareFinite(b, "factor B of layer '" + layerPath + "'").dup('c'), flavour, true);
    }

    /** Takes ownership of float64 square arrays without copying or scanning them (the estimator's own sums). */
    private KronFactors(String layerPath, INDArray a, INDArray b, KfacFlavour flavour, boolean owned) {
        this.layerPath = Objects.requireNonNull(layerPath, "layerPath");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        this.a = a;
        this.b = b;
    }

    /**
     * Factors from arrays the caller hands over and never touches again: float64, C order, square, built from
     * finite network inputs and gradients (the network rejects NaN at both ends; the eigensolver checks again).
     */
    static KronFactors owned(String layerPath, INDArray a, INDArray b, KfacFlavour flavour) {
        return new KronFactors(layerPath, a, b, flavour, true);
    }

    /**
     * The layer the factors belong to.
     *
     * @return the dotted path of the layer in its network ("" for a root layer)
     */
    public String layerPath() {
        return layerPath;
    }

    /**
     * The input factor A, the average of the layer inputs' outer products.
     *
     * @return a new float64 {@code [Din, Din]} copy of A
     */
    public INDArray a() {
        return a.dup();
    }

    /**
     * The output-gradient factor B, the sum of the back-propagated vectors' outer products.
     *
     * @return a new float64 {@code [Dout, Dout]} copy of B
     */
    public INDArray b() {
        return b.dup();
    }

    /**
     * The flavour that produced these factors.
     *
     * @return the K-FAC flavour, which fixes what A was averaged over and so the factors' scaling convention
     */
    public KfacFlavour flavour() {
        return flavour;
    }

    /**
     * The layer's input width.
     *
     * @return Din, the weight's column count and the size of A
     */
    public long inFeatures() {
        return a.size(0);
    }

    /**
     * The layer's output width.
     *
     * @return Dout, the weight's row count and the size of B
     */
    public long outFeatures() {
        return b.size(0);
    }

    /**
     * Checks a property every positive semi-definite matrix has: a non-negative diagonal (rounding aside). A cheap
     * guard against factors of the wrong sign or from another computation, before they are decomposed.
     *
     * @throws IllegalArgumentException naming the layer, the factor and the entry
     */
    public void requireNonNegativeDiagonal() {
        requireNonNegativeDiagonal(a, "A");
        requireNonNegativeDiagonal(b, "B");
    }

    private void requireNonNegativeDiagonal(INDArray m, String factor) {
        long n = m.size(0);
        double largest = 0;
        for (long i = 0; i < n; i++) {
            largest = Math.max(largest, Math.abs(m.getDouble(i, i)));
        }
        for (long i = 0; i < n; i++) {
            double v = m.getDouble(i, i);
            if (v < -1e-12 * largest) {
                throw new IllegalArgumentException("factor " + factor + " of layer '" + layerPath + "' has diagonal "
                        + "entry " + v + " at " + i + ": a K-FAC factor is positive semi-definite");
            }
        }
    }

    /** The factors without copying, for decomposition inside the package. */
    INDArray aView() {
        return a;
    }

    INDArray bView() {
        return b;
    }

    @Override
    public String toString() {
        return "KronFactors[" + layerPath + ", " + flavour + ", A " + inFeatures() + "x" + inFeatures() + ", B "
                + outFeatures() + "x" + outFeatures() + "]";
    }
}
