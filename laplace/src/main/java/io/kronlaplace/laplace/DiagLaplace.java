package io.kronlaplace.laplace;

import io.kronlaplace.curvature.SpectralSums;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Laplace posterior with the exact diagonal of the GGN, diag(H) = sum_n sum_c (J_n^T s_nc)^2 with s_nc the columns of
 * the loss-Hessian square root, read per layer from one backward pass of C vectors per example. Supports every prior
 * kind, including one precision per parameter. Unlike {@code DiagonalGgn}, which runs one backward pass per example
 * and vector but covers every parameter type, this reads all examples' Jacobian rows from one batched pass (see
 * docs/laplace.md, section Posteriors).
 */
public final class DiagLaplace extends LaplacePosterior {
    private double[] diagonal;
    private SpectralSums[] spectra;

    DiagLaplace(Network network, LaplaceOptions options) {
        super(network, options);
        this.diagonal = new double[Math.toIntExact(dim())];
    }

    /** The structure this class implements. */
    @Override
    public HessianStructure structure() {
        return HessianStructure.DIAG;
    }

    /**
     * The GGN diagonal (a copy, flat group order).
     *
     * @return the GGN diagonal, one value per covered weight
     */
    public double[] diagonal() {
        requireFitted();
        return diagonal.clone();
    }

    /**
     * The marginal posterior variances {@code 1 / (s diag(H)_i + delta_i)} at the current prior and scale: the
     * diagonal of P^-1, which for this structure is exact.
     *
     * @return one variance per covered parameter, flat group order
     * @throws IllegalStateException before {@link #fit}
     */
    public double[] marginalVariances() {
        requireFitted();
        return variances(scale(), priorPrecision());
    }

    /** 1 / (s diag(H)_i + delta_i) for every covered parameter. */
    private double[] variances(double s, PriorPrecision p) {
        double[] delta = perParameterPrior(p);
        double[] out = new double[diagonal.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = 1.0 / (s * diagonal[i] + delta[i]);
        }
        return out;
    }

    @Override
    void resetCurvature() {
        diagonal = new double[Math.toIntExact(dim())];
        spectra = null;
    }

    @Override
    void accumulateCurvature(INDArray curvatureInputs, INDArray targets) {
        covered().forwardBackward(curvatureInputs, out -> likelihood().curvatureLikelihood().hessianSqrt(out, targets), Math.toIntExact(outputs()),
                (layer, input, gradOutput, c) -> {
            int[] gs = groupsOf(layer);
            if (gs == null) {
                return;
            }
            LayerSlices slices = LayerSlices.of(layer, input, gradOutput, c);
            addSquares(slices.weightJacobians(), groups().get(gs[0]));
            if (gs[1] >= 0) {
                addSquares(slices.biasJacobians(), groups().get(gs[1]));
            }
        });
    }

    private void addSquares(INDArray rows, ParameterGroup group) {
        double[] sq = rows.mul(rows).sum(0).data().asDouble();
        int offset = (int) group.offset();
        for (int i = 0; i < sq.length; i++) {
            diagonal[offset + i] += sq[i];
        }
    }

    @Override
    void completeFit() {
        List<ParameterGroup> groups = groups();
        spectra = new SpectralSums[groups.size()];
        for (int g = 0; g < spectra.length; g++) {
            ParameterGroup pg = groups.get(g);
            spectra[g] = SpectralSums.of(java.util.Arrays.copyOfRange(diagonal, (int) pg.offset(),
                    (int) (pg.offset() + pg.size())));
        }
    }

    /** Restores a saved diagonal. */
    void restoreDiagonal(double[] values) {
        if (values.length != dim()) {
            throw new IllegalArgumentException("diagonal has length " + values.length + ", expected " + dim());
        }
        this.diagonal = values.clone();
        completeFit();
    }

    @Override
    LogDetTerms logDetTerms(double s, PriorPrecision p) {
        if (p.kind() != PriorPrecision.Kind.PER_PARAMETER) {
            return groupLogDet(spectra, s, p);
        }
        double logDet = 0;
        double dScale = 0;
        double[] dPrior = new double[diagonal.length];
        for (int i = 0; i < diagonal.length; i++) {
            double t = s * diagonal[i] + p.value(i);
            logDet += Math.log(t);
            dScale += diagonal[i] / t;
            dPrior[i] = 1.0 / t;
        }
        return new LogDetTerms(logDet, dScale, dPrior);
    }

    @Override
    INDArray inverseSqrtPrecisionTimes(INDArray eps, double s, PriorPrecision p) {
        double[] delta = perParameterPrior(p);
        double[] f = new double[diagonal.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1.0 / Math.sqrt(s * diagonal[i] + delta[i]);
        }
        return eps.mulRowVector(Nd4j.createFromArray(f).reshape(1, f.length));
    }

    @Override
    double precisionQuadraticForm(double[] v, double s, PriorPrecision p) {
        double[] delta = perParameterPrior(p);
        double q = 0;
        for (int i = 0; i < v.length; i++) {
            q += v[i] * v[i] * (s * diagonal[i] + delta[i]);
        }
        return q;
    }

    @Override
    FunctionalCovariance functionalCovariance(int examples, int outputs, double s, PriorPrecision p) {
        double[] inverse = variances(s, p);
        INDArray result = Nd4j.zeros(DataType.DOUBLE, examples, outputs, outputs);
        return new FunctionalCovariance() {
            @Override
            public void observe(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
                int[] gs = groupsOf(layer);
                if (gs == null) {
                    return;
                }
                LayerSlices slices = slices(layer, input, gradOutput, copies);
                add(slices.weightJacobians(), groups().get(gs[0]));
                if (gs[1] >= 0) {
                    add(slices.biasJacobians(), groups().get(gs[1]));
                }
            }

            private void add(INDArray rows, ParameterGroup group) {
                INDArray w = Nd4j.createFromArray(java.util.Arrays.copyOfRange(inverse, (int) group.offset(),
                        (int) (group.offset() + group.size()))).reshape(1, group.size());
                JacobianProducts.addWeightedGram(rows, rows.mulRowVector(w), examples, outputs, result);
            }

            @Override
            INDArray result() {
                return result;
            }
        };
    }
}
