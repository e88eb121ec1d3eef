package io.kronlaplace.curvature;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight block H = B (x) A of one layer (row-major vec(W), so H vec(W) = vec(B W A)), with every closed form
 * computed in the Kronecker eigenbasis Qb (x) Qa: eigenvalues lb_i la_j, O(Dout^2 Din + Dout Din^2) per product and
 * no dense matrix.
 */
public final class KronBlock implements CurvatureBlock {
    private final String name;
    private final KronDecomposition decomposition;
    private final INDArray eigenvalueGrid;

    /**
     * @param name          dotted parameter name of the weight, e.g. "fc.weight"
     * @param decomposition the layer's factor eigendecompositions
     */
    public KronBlock(String name, KronDecomposition decomposition) {
        this.name = Objects.requireNonNull(name, "name");
        this.decomposition = Objects.requireNonNull(decomposition, "decomposition");
        long dout = decomposition.outFeatures();
        long din = decomposition.inFeatures();
        this.eigenvalueGrid = decomposition.lbView().reshape(dout, 1).mmul(decomposition.laView().reshape(1, din));
    }

    /** The factor eigendecompositions this block is built on. */
    public KronDecomposition decomposition() {
        return decomposition;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long dim() {
        return decomposition.outFeatures() * decomposition.inFeatures();
    }

    @Override
    public INDArray mvp(INDArray v) {
        return inEigenbasis(v, eigenvalueGrid, "mvp");
    }

    /** Row-major grid lb_i * la_j flattened: index i * Din + j. */
    @Override
    public INDArray eigenvalues() {
        return eigenvalueGrid.dup('c').reshape(dim());
    }

    @Override
    public double logDet(double scale, double delta) {
        return Spectrum.logDet(eigenvalueGrid, scale, delta);
    }

    @Override
    public double traceDampedInverse(double scale, double delta) {
        return Spectrum.traceInverse(eigenvalueGrid, scale, delta);
    }

    @Override
    public INDArray dampedInverseMvp(INDArray v, double scale, double delta) {
        return inEigenbasis(v, Spectrum.dampedPower(eigenvalueGrid, scale, delta, -1.0), "dampedInverseMvp");
    }

    @Override
    public INDArray dampedInverseSqrtMvp(INDArray v, double scale, double delta) {
        return inEigenbasis(v, Spectrum.dampedPower(eigenvalueGrid, scale, delta, -0.5), "dampedInverseSqrtMvp");
    }

    @Override
    public INDArray dense() {
        Spectrum.requireDenseSize(dim(), name);
        INDArray a = Spectrum.reconstruct(decomposition.qaView(), decomposition.laView());
        INDArray b = Spectrum.reconstruct(decomposition.qbView(), decomposition.lbView());
        return Spectrum.kron(b, a);
    }

    /** Qb (F o (Qb^T V Qa)) Qa^T with V the Dout x Din view of v. */
    private INDArray inEigenbasis(INDArray v, INDArray f, String what) {
        long dout = decomposition.outFeatures();
        long din = decomposition.inFeatures();
        INDArray w = Checks.vector(v, dim(), "block '" + name + "' " + what).dup('c').reshape(dout, din);
        INDArray qa = decomposition.qaView();
        INDArray qb = decomposition.qbView();
        INDArray t = qb.transpose().mmul(w).mmul(qa);
        t.muli(f);
        return qb.mmul(t).mmul(qa.transpose()).reshape(dim());
    }
}
