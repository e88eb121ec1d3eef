package io.kronlaplace.curvature;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A diagonal curvature block H = diag(h), h >= 0 (diagonal GGN/Fisher, or parameters K-FAC does not factor). */
public final class DiagonalBlock implements CurvatureBlock {
    private final String name;
    private final INDArray diagonal;

    /**
     * @param name     dotted parameter name
     * @param diagonal the diagonal h (any vector shape, length = the parameter's size), finite and >= 0
     */
    public DiagonalBlock(String name, INDArray diagonal) {
        this.name = Objects.requireNonNull(name, "name");
        if (diagonal == null) {
            throw new IllegalArgumentException("diagonal block '" + name + "': diagonal is missing");
        }
        INDArray d = Checks.vector(diagonal, diagonal.length(), "diagonal block '" + name + "'").dup();
        double min = d.length() == 0 ? 0 : d.minNumber().doubleValue();
        if (min < 0) {
            throw new IllegalArgumentException("diagonal block '" + name + "' has a negative entry " + min
                    + "; curvature must be positive semi-definite");
        }
        this.diagonal = d;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long dim() {
        return diagonal.length();
    }

    @Override
    public INDArray mvp(INDArray v) {
        return checked(v, "mvp").mul(diagonal);
    }

    @Override
    public INDArray eigenvalues() {
        return diagonal.dup();
    }

    @Override
    public double logDet(double scale, double delta) {
        return Spectrum.logDet(diagonal, scale, delta);
    }

    @Override
    public double traceDampedInverse(double scale, double delta) {
        return Spectrum.traceInverse(diagonal, scale, delta);
    }

    @Override
    public INDArray dampedInverseMvp(INDArray v, double scale, double delta) {
        return checked(v, "dampedInverseMvp").mul(Spectrum.dampedPower(diagonal, scale, delta, -1.0));
    }

    @Override
    public INDArray dampedInverseSqrtMvp(INDArray v, double scale, double delta) {
        return checked(v, "dampedInverseSqrtMvp").mul(Spectrum.dampedPower(diagonal, scale, delta, -0.5));
    }

    @Override
    public INDArray dense() {
        Spectrum.requireDenseSize(dim(), name);
        return Nd4j.diag(diagonal);
    }

    private INDArray checked(INDArray v, String what) {
        return Checks.vector(v, dim(), "block '" + name + "' " + what);
    }
}
