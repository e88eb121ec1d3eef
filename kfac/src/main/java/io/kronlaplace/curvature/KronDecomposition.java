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
     * @param layerPath dotted path of the layer the factors belong to; not null
     * @param flavour   the flavour that produced the factors; not null
     * @param qa        Din x Din orthonormal eigenvectors of A in columns (any floating type; copied as float64)
     * @param la        Din eigenvalues of A, rank 1 or a single row or column (copied; negatives clipped to 0)
     * @param qb        Dout x Dout orthonormal eigenvectors of B in columns (any floating type; copied as float64)
     * @param lb        Dout eigenvalues of B, rank 1 or a single row or column (copied; negatives clipped to 0)
     * @throws NullPointerException     when the layer path or flavour is null
     * @throws IllegalArgumentException when an array is missing, misshapen or not finite
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
     * @param factors one layer's Kronecker factors
     * @return the decomposition of both factors, with the factors' layer path and flavour
     * @throws IllegalArgumentException naming the layer when a factor holds NaN or infinity
     * @throws IllegalStateException    naming the layer when the solver fails
     */
    public static KronDecomposition of(KronFactors factors) {
        return of(factors, ComputeDevices.configured());
    }

    /**
     * Eigendecomposes both factors with the given kernels, one after the other.
     *
     * @param factors one layer's Kronecker factors
     * @param kernels the kernels that run the eigensolver, e.g. {@link ComputeDevices#cpu()}
     * @return the decomposition of both factors, with the factors' layer path and flavour
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
     *
     * @param factors factors of many layers, keyed by layer path
     * @return decompositions keyed like the input, in its order
     * @throws IllegalArgumentException naming the layer when a factor holds NaN or infinity
     * @throws IllegalStateException    naming the layers when the solver fails
     */
    public static Map<String, KronDecomposition> ofAll(Map<String, KronFactors> factors) {
        return ofAll(factors, ComputeDevices.configured());
    }

    /**
     * Eigendecomposes the factors of many layers as one batch of independent matrices
     * ({@link ComputeKernels#decomposeAllSymmetric}).
     *
     * @param factors factors of many layers, keyed by layer path
     * @param kernels the kernels that run the batched eigensolver, e.g. {@link ComputeDevices#cpu()}
     * @return decompositions keyed like the input, in its order
     * @throws IllegalArgumentException naming the layer when a factor holds NaN or infinity
     * @throws IllegalStateException    naming the layers when the solver fails
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

    /**
     * The layer these factors belong to.
     *
     * @return the dotted path of the layer, e.g. "fc"
     */
    public String layerPath() {
        return layerPath;
    }

    /**
     * The flavour that produced the factors.
     *
     * @return the K-FAC flavour of the decomposed factors
     */
    public KfacFlavour flavour() {
        return flavour;
    }

    /**
     * The eigenvectors of the input factor A.
     *
     * @return a new float64 {@code [Din, Din]} copy, one eigenvector per column, matching {@link #la()}
     */
    public INDArray qa() {
        return qa.dup();
    }

    /**
     * The eigenvalues of the input factor A.
     *
     * @return a new rank-1 float64 copy of the Din eigenvalues, all &gt;= 0, ascending when computed by {@link #of}
     *         or {@link #ofAll} and in the given order otherwise
     */
    public INDArray la() {
        return la.dup();
    }

    /**
     * The eigenvectors of the output factor B.
     *
     * @return a new float64 {@code [Dout, Dout]} copy, one eigenvector per column, matching {@link #lb()}
     */
    public INDArray qb() {
        return qb.dup();
    }

    /**
     * The eigenvalues of the output factor B.
     *
     * @return a new rank-1 float64 copy of the Dout eigenvalues, all &gt;= 0, ascending when computed by
     *         {@link #of} or {@link #ofAll} and in the given order otherwise
     */
    public INDArray lb() {
        return lb.dup();
    }

    /**
     * The layer's input width.
     *
     * @return Din, the number of rows and columns of A
     */
    public long inFeatures() {
        return qa.size(0);
    }

    /**
     * The layer's output width.
     *
     * @return Dout, the number of rows and columns of B
     */
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
