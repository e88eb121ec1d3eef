package io.kronlaplace.curvature;

import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bias block of a layer, H = B (x) [1] = B: a bias is a weight column whose input is the constant 1, so its input
 * factor is 1 in both flavours. It reuses B's eigendecomposition from the layer's {@link KronDecomposition} through
 * {@link KronEigenbasis#ofBias}. The bias is its own block (not a column appended to A) so that weight and bias can
 * carry different prior precisions and keep closed forms.
 */
public final class KronBiasBlock implements CurvatureBlock {
    private final String name;
    private final KronDecomposition decomposition;
    private final KronEigenbasis eigenbasis;

    /**
     * @param name          dotted parameter name of the bias, e.g. "fc.bias"
     * @param decomposition the layer's factor eigendecompositions (only B is used)
     */
    public KronBiasBlock(String name, KronDecomposition decomposition) {
        this.name = Objects.requireNonNull(name, "name");
        this.decomposition = Objects.requireNonNull(decomposition, "decomposition");
        this.eigenbasis = KronEigenbasis.ofBias(decomposition);
    }

    /**
     * The block's eigenbasis operator.
     *
     * @return the operator over the output factor B's eigenbasis, with the input factor taken as the 1 x 1 matrix [1]
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

    /** Eigenvalues of B, ascending. */
    @Override
    public INDArray eigenvalues() {
        return decomposition.lb();
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
        return Spectrum.reconstruct(decomposition.qbView(), decomposition.lbView());
    }

    private INDArray checked(INDArray v, String what) {
        return Checks.vector(v, dim(), "block '" + name + "' " + what);
    }
}
