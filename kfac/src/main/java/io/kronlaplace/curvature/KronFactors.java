package io.kronlaplace.curvature;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two Kronecker factors of one weight layer, GGN_W ~ B (x) A for row-major vec(W), scaled in the paper's convention
 * for the SUMMED loss over all examples seen (see docs/kfac.md, section Normalisation): A is an average over examples
 * (and positions for EXPAND), B a sum. Only the product B (x) A is convention-free. Immutable: the arrays are private
 * float64 copies and the getters return copies.
 *
 * <p>Factors hold native memory until they are garbage-collected or {@linkplain #close() closed}. Closing the factors
 * of a {@link KfacEstimator} once they are decomposed or copied lets the estimator's next read-out reuse their memory
 * (docs/kfac.md, section Cost model); closed factors refuse every further use.
 */
public final class KronFactors implements AutoCloseable {
    private final String layerPath;
    private final INDArray a;
    private final INDArray b;
    private final KfacFlavour flavour;
    /** Where close() returns the arrays; null for factors whose arrays are simply freed. */
    private final FactorArrayPool pool;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param layerPath dotted path of the layer in its network ("" for a root layer)
     * @param a         input factor, Din x Din
     * @param b         output-gradient factor, Dout x Dout
     * @param flavour   the flavour that produced them
     * @throws IllegalArgumentException on non-square factors or NaN/infinite entries
     */
    public KronFactors(String layerPath, INDArray a, INDArray b, KfacFlavour flavour) {
        this(layerPath, Checks.squareFinite(a, "factor A of layer '" + layerPath + "'").dup('c'),
                Checks.squareFinite(b, "factor B of layer '" + layerPath + "'").dup('c'), flavour, null);
    }

    /** Takes ownership of float64 square arrays without copying or scanning them (the estimator's own sums). */
    private KronFactors(String layerPath, INDArray a, INDArray b, KfacFlavour flavour, FactorArrayPool pool) {
        this.layerPath = Objects.requireNonNull(layerPath, "layerPath");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        this.a = a;
        this.b = b;
        this.pool = pool;
    }

    /**
     * Factors from arrays of the pool that the caller hands over and never touches again: float64, C order, square,
     * built from finite network inputs and gradients (the network rejects NaN at both ends; the eigensolver checks
     * again). Closing the factors gives the arrays back to the pool.
     */
    static KronFactors owned(String layerPath, INDArray a, INDArray b, KfacFlavour flavour, FactorArrayPool pool) {
        return new KronFactors(layerPath, a, b, flavour, Objects.requireNonNull(pool, "pool"));
    }

    /**
     * Closes every factor pair of a collection, e.g. the values of {@link KfacEstimator#factors()} once they are
     * decomposed.
     *
     * @param factors the factors to close; closed ones are skipped
     */
    public static void closeAll(Iterable<KronFactors> factors) {
        factors.forEach(KronFactors::close);
    }

    /**
     * Releases the factors' memory now instead of at garbage collection: the arrays of an estimator's factors go back
     * to it for its next read-out, others are freed. Idempotent; every other method throws afterwards.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (pool != null) {
            pool.give(a);
            pool.give(b);
        } else {
            // copies made inside a workspace belong to it and go with it
            if (a.closeable()) {
                a.close();
            }
            if (b.closeable()) {
                b.close();
            }
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once the factors are closed and their memory released
     */
    public boolean isClosed() {
        return closed.get();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the factors of layer '" + layerPath + "' are closed");
        }
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
        requireOpen();
        return a.dup();
    }

    /**
     * The output-gradient factor B, the sum of the back-propagated vectors' outer products.
     *
     * @return a new float64 {@code [Dout, Dout]} copy of B
     */
    public INDArray b() {
        requireOpen();
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
        requireOpen();
        return a.size(0);
    }

    /**
     * The layer's output width.
     *
     * @return Dout, the weight's row count and the size of B
     */
    public long outFeatures() {
        requireOpen();
        return b.size(0);
    }

    /**
     * Checks a property every positive semi-definite matrix has: a non-negative diagonal (rounding aside). A cheap
     * guard against factors of the wrong sign or from another computation, before they are decomposed.
     *
     * @throws IllegalArgumentException naming the layer, the factor and the entry
     */
    public void requireNonNegativeDiagonal() {
        requireOpen();
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
        requireOpen();
        return a;
    }

    INDArray bView() {
        requireOpen();
        return b;
    }

    @Override
    public String toString() {
        return "KronFactors[" + layerPath + ", " + flavour + ", A " + a.size(0) + "x" + a.size(0) + ", B "
                + b.size(0) + "x" + b.size(0) + (closed.get() ? ", closed" : "") + "]";
    }
}
