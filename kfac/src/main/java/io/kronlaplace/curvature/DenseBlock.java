package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.Eigendecomposition;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A dense symmetric curvature block (full GGN of a small network or of a parameter subset), eigendecomposed once at
 * construction; closed forms then cost O(dim^2) per product. Eigenvalues that rounding made negative are clipped to
 * 0, so {@link #dense()} returns the clipped reconstruction.
 */
public final class DenseBlock implements CurvatureBlock {
    private final String name;
    private final INDArray q;
    private final INDArray l;

    /**
     * Decomposes with the kernels of the configured device ({@link ComputeDevices#configured()}).
     *
     * @param name      dotted parameter name (or names joined by ',')
     * @param symmetric the dim x dim matrix H, finite; symmetrised as (H + H^T) / 2
     */
    public DenseBlock(String name, INDArray symmetric) {
        this(name, symmetric, ComputeDevices.configured());
    }

    /**
     * @param name      dotted parameter name (or names joined by ',')
     * @param symmetric the dim x dim matrix H, finite; symmetrised as (H + H^T) / 2
     * @param kernels   the kernels that eigendecompose H
     */
    public DenseBlock(String name, INDArray symmetric, ComputeKernels kernels) {
        this.name = Objects.requireNonNull(name, "name");
        INDArray h = Checks.squareFinite(symmetric, "dense block '" + name + "'");
        Eigendecomposition e = kernels.decomposeSymmetric(h.add(h.transpose()).muli(0.5));
        this.q = e.vectors();
        this.l = Transforms.max(e.values(), 0.0, true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long dim() {
        return l.length();
    }

    @Override
    public INDArray mvp(INDArray v) {
        return Spectrum.apply(q, l, checked(v, "mvp"));
    }

    /** Ascending eigenvalues. */
    @Override
    public INDArray eigenvalues() {
        return l.dup();
    }

    @Override
    public double logDet(double scale, double delta) {
        return Spectrum.logDet(l, scale, delta);
    }

    @Override
    public double traceDampedInverse(double scale, double delta) {
        return Spectrum.traceInverse(l, scale, delta);
    }

    @Override
    public INDArray dampedInverseMvp(INDArray v, double scale, double delta) {
        return Spectrum.apply(q, Spectrum.dampedPower(l, scale, delta, -1.0), checked(v, "dampedInverseMvp"));
    }

    @Override
    public INDArray dampedInverseSqrtMvp(INDArray v, double scale, double delta) {
        return Spectrum.apply(q, Spectrum.dampedPower(l, scale, delta, -0.5), checked(v, "dampedInverseSqrtMvp"));
    }

    @Override
    public INDArray dense() {
        return Spectrum.reconstruct(q, l);
    }

    private INDArray checked(INDArray v, String what) {
        return Checks.vector(v, dim(), "block '" + name + "' " + what);
    }
}
