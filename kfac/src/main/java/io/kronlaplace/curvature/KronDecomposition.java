package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.Eigendecomposition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Eigendecompositions A = Qa diag(la) Qa^T and B = Qb diag(lb) Qb^T of one layer's Kronecker factors (float64), from
 * which every closed form of B (x) A follows. Eigenvalues that rounding made slightly negative are clipped to 0.
 * Immutable; refreshing after new factors means building a new one with {@link #of(KronFactors)}.
 */
public final class KronDecomposition {
    private final String layerPath;
    private final KfacFlavour flavour;
    private final INDArray qa;
    private final INDArray la;
    private final INDArray qb;
    private final INDArray lb;

    /**
     * Builds a decomposition from given eigenpairs (e.g. loaded from disk).
     *
     * @param qa Din x Din orthonormal eigenvectors of A in columns
     * @param la Din eigenvalues of A
     * @param qb Dout x Dout orthonormal eigenvectors of B in columns
     * @param lb Dout eigenvalues of B
     */
    public KronDecomposition(String layerPath, KfacFlavour flavour, INDArray qa, INDArray la, INDArray qb,
                             INDArray lb) {
        this.layerPath = Objects.requireNonNull(layerPath, "layerPath");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        this.qa = Checks.squareFinite(qa, "eigenvectors of A of layer '" + layerPath + "'").dup('c');
        this.qb = Checks.squareFinite(qb, "eigenvectors of B of layer '" + layerPath + "'").dup('c');
        this.la = clip(Checks.vector(la, qa.size(0), "eigenvalues of A of layer '" + layerPath + "'"));
        this.lb = clip(Checks.vector(lb, qb.size(0), "eigenvalues of B of layer '" + layerPath + "'"));
    }

    /**
     * Eigendecomposes both factors with the kernels of the configured device ({@link ComputeDevices#configured()}).
     *
     * @throws IllegalArgumentException naming the layer when a factor holds NaN or infinity
     * @throws IllegalStateException    naming the layer when the solver fails
     */
    public static KronDecomposition of(KronFactors factors) {
        return of(factors, ComputeDevices.configured());
    }

    /**
     * Eigendecomposes both factors with the given kernels, one after the other.
     *
     * @throws IllegalArgumentException naming the layer when a factor holds NaN or infinity
     * @throws IllegalStateException    naming the layer when the solver fails
     */
    public static KronDecomposition of(KronFactors factors, ComputeKernels kernels) {
        String where = "layer '" + factors.layerPath() + "'";
        Eigendecomposition ea = decompose(kernels, factors.aView(), "factor A of " + where);
        Eigendecomposition eb = decompose(kernels, factors.bView(), "factor B of " + where);
        return new KronDecomposition(factors.layerPath(), factors.flavour(), ea.vectors(), ea.values(),
                eb.vectors(), eb.values());
    }

    /**
     * {@link #ofAll(Map, ComputeKernels)} with the kernels of the configured device
     * ({@link ComputeDevices#configured()}).
     */
    public static Map<String, KronDecomposition> ofAll(Map<String, KronFactors> factors) {
        return ofAll(factors, ComputeDevices.configured());
    }

    /**
     * Eigendecomposes the factors of many layers as one batch of independent matrices
     * ({@link ComputeKernels#decomposeAllSymmetric}).
     *
     * @return decompositions keyed like the input, in its order
     * @throws IllegalArgumentException naming the layer when a factor holds NaN or infinity
     * @throws IllegalStateException    naming the layer when the solver fails
     */
    public static Map<String, KronDecomposition> ofAll(Map<String, KronFactors> factors, ComputeKernels kernels) {
        List<INDArray> matrices = new ArrayList<>();
        for (KronFactors f : factors.values()) {
            Checks.requireFinite(f.aView(), "factor A of layer '" + f.layerPath() + "'");
            Checks.requireFinite(f.bView(), "factor B of layer '" + f.layerPath() + "'");
            matrices.add(f.aView());
            matrices.add(f.bView());
        }
        List<Eigendecomposition> e;
        try {
            e = kernels.decomposeAllSymmetric(matrices);
        } catch (IllegalStateException failure) {
            throw new IllegalStateException("eigendecomposition of the Kronecker factors of " + factors.keySet()
                    + " failed: " + failure.getMessage(), failure);
        }
        Map<String, KronDecomposition> out = new LinkedHashMap<>();
        int i = 0;
        for (var entry : factors.entrySet()) {
            KronFactors f = entry.getValue();
            Eigendecomposition ea = e.get(i++);
            Eigendecomposition eb = e.get(i++);
            out.put(entry.getKey(), new KronDecomposition(f.layerPath(), f.flavour(), ea.vectors(), ea.values(),
                    eb.vectors(), eb.values()));
        }
        return out;
    }

    private static Eigendecomposition decompose(ComputeKernels kernels, INDArray m, String what) {
        try {
            return kernels.decomposeSymmetric(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(what + ": " + e.getMessage(), e);
        }
    }

    private static INDArray clip(INDArray values) {
        return Transforms.max(values, 0.0, true);
    }

    /** Dotted path of the layer these factors belong to. */
    public String layerPath() {
        return layerPath;
    }

    /** The flavour that produced the factors. */
    public KfacFlavour flavour() {
        return flavour;
    }

    /** Eigenvectors of A in columns (Din x Din, a copy). */
    public INDArray qa() {
        return qa.dup();
    }

    /** Eigenvalues of A, ascending, >= 0 (a copy). */
    public INDArray la() {
        return la.dup();
    }

    /** Eigenvectors of B in columns (Dout x Dout, a copy). */
    public INDArray qb() {
        return qb.dup();
    }

    /** Eigenvalues of B, ascending, >= 0 (a copy). */
    public INDArray lb() {
        return lb.dup();
    }

    /** Din: size of A. */
    public long inFeatures() {
        return qa.size(0);
    }

    /** Dout: size of B. */
    public long outFeatures() {
        return qb.size(0);
    }

    INDArray qaView() {
        return qa;
    }

    INDArray laView() {
        return la;
    }

    INDArray qbView() {
        return qb;
    }

    INDArray lbView() {
        return lb;
    }
}
