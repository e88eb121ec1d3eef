package io.kronlaplace.curvature;

import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight block H = B (x) A of one layer (row-major vec(W), so H vec(W) = vec(B W A)), with every closed form
 * computed in the Kronecker eigenbasis Qb (x) Qa by {@link KronEigenbasis}: eigenvalues lb_i la_j,
 * O(Dout^2 Din + Dout Din^2) per product and no dense matrix.
 */
public final class KronBlock implements CurvatureBlock {
    private final String name;
    private final KronDecomposition decomposition;
    private final KronEigenbasis eigenbasis;

    /**
     * @param name          dotted parameter name of the weight, e.g. "fc.weight"
     * @param decomposition the layer's factor eigendecompositions
     */
    public KronBlock(String name, KronDecomposition decomposition) {
        this.name = Objects.requireNonNull(name, "name");
        this.decomposition = Objects.requireNonNull(decomposition, "decomposition");
        this.eigenbasis = KronEigenbasis.ofWeight(decomposition);
    }

    /**
     * The factor eigendecompositions this block is built on.
     *
     * @return the decomposition given to the constructor, shared with the layer's bias block if any
     */
    public KronDecomposition decomposition() {
        return decomposition;
    }

    /**
     * The block's eigenbasis operator.
     *
     * @return the operator over the eigenbasis Q_B (x) Q_A of the weight's curvature B (x) A
     */
    public KronEigenbasis eigenbasis() {
        return eigenbasis;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long dim() {
        return eigenbasis.dim();
    }

    @Override
    public INDArray mvp(INDArray v) {
        return eigenbasis.power(1.0, 0.0, 1.0, DataType.DOUBLE).apply(checked(v, "mvp"));
    }

    /** Row-major grid lb_i * la_j flattened: index i * Din + j. */
    @Override
    public INDArray eigenvalues() {
        return eigenbasis.eigenvalueGrid().reshape(dim());
    }

    @Override
    public double logDet(double scale, double delta) {
        return eigenbasis.terms(scale, delta).logDet();
    }

    @Override
    public double traceDampedInverse(double scale, double delta) {
        return eigenbasis.terms(scale, delta).traceInverse();
    }

    @Override
    public INDArray dampedInverseMvp(INDArray v, double scale, double delta) {
        return Spectrum.dampedPowerProduct(eigenbasis, checked(v, "dampedInverseMvp"), scale, delta, -1.0);
    }

    @Override
    public INDArray dampedInverseSqrtMvp(INDArray v, double scale, double delta) {
        return Spectrum.dampedPowerProduct(eigenbasis, checked(v, "dampedInverseSqrtMvp"), scale, delta, -0.5);
    }

    @Override
    public INDArray dense() {
        Spectrum.requireDenseSize(dim(), name);
        INDArray a = Spectrum.reconstruct(decomposition.qaView(), decomposition.laView());
        INDArray b = Spectrum.reconstruct(decomposition.qbView(), decomposition.lbView());
        return Spectrum.kron(b, a);
    }

    private INDArray checked(INDArray v, String what) {
        return Checks.vector(v, dim(), "block '" + name + "' " + what);
    }
}
