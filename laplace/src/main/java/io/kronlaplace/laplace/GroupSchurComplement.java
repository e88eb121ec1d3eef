package io.kronlaplace.laplace;

import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.Eigendecomposition;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * log det P, the group traces of P^-1 and a factor R with R R^T = P^-1, for {@code P = s H + D} with D constant on
 * each parameter group, without factorising P: the largest group A is eigendecomposed once, {@code H_AA = U diag(mu) U^T}, and every evaluation
 * works on the Schur complement onto the remaining m parameters R,
 * <pre>  S = s H_RR + D_R - s^2 G^T diag(1 / t) G,   G = U^T H_AR,   t = s mu + delta_A,</pre>
 * with {@code log det P = sum log t + log det S}, {@code tr_A P^-1 = sum 1 / t + s^2 tr(S^-1 G^T diag(1 / t^2) G)}
 * and {@code (P^-1)_RR = S^-1}. An evaluation costs O(|A| m^2 + m^3): for the last layer (A the weight, R its C
 * biases) microseconds where a Cholesky factorisation of P costs O(dim^3). See docs/laplace.md, section Full
 * posterior over the last layer.
 */
final class GroupSchurComplement {
    private final int dim;
    private final int largest;
    private final long aOffset;
    private final int aSize;
    /** Flat indices of the remaining parameters, ascending. */
    private final int[] rest;
    /** Group of each remaining parameter. */
    private final int[] restGroup;
    private final double[] mu;
    /** U, the eigenvectors of H_AA. */
    private final INDArray vectors;
    /** G = U^T H_AR, |A| x m (null when A is every parameter). */
    private final INDArray g;
    /** H_RR, m x m. */
    private final double[] hRest;

    /**
     * Decomposes the largest group's diagonal block of {@code hessian} (float64, symmetric).
     *
     * @param groups the posterior's parameter groups (contiguous ranges covering all parameters)
     */
    GroupSchurComplement(INDArray hessian, List<ParameterGroup> groups, ComputeKernels kernels) {
        this.dim = Math.toIntExact(hessian.size(0));
        int best = 0;
        for (int i = 1; i < groups.size(); i++) {
            if (groups.get(i).size() > groups.get(best).size()) {
                best = i;
            }
        }
        this.largest = best;
        this.aOffset = groups.get(best).offset();
        this.aSize = Math.toIntExact(groups.get(best).size());
        int m = dim - aSize;
        // A is one contiguous range, so R is the parameters before it followed by those after it
        this.rest = new int[m];
        this.restGroup = new int[m];
        int r = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            if (gi != best) {
                for (long i = groups.get(gi).offset(); i < groups.get(gi).offset() + groups.get(gi).size(); i++) {
                    rest[r] = Math.toIntExact(i);
                    restGroup[r++] = gi;
                }
            }
        }
        org.nd4j.linalg.indexing.INDArrayIndex rowsOfA = NDArrayIndex.interval(aOffset, aOffset + aSize);
        INDArray a = hessian.get(rowsOfA, NDArrayIndex.interval(aOffset, aOffset + aSize));
        Eigendecomposition e = kernels.decomposeSymmetric(a.add(a.transpose()).muli(0.5));
        // rounding can make a semi-definite block's smallest eigenvalues slightly negative
        this.mu = Transforms.max(e.values(), 0.0, true).castTo(DataType.DOUBLE).dup().data().asDouble();
        this.vectors = e.vectors();
        java.util.List<INDArray> columnsOfR = new java.util.ArrayList<>();
        if (aOffset > 0) {
            columnsOfR.add(hessian.get(rowsOfA, NDArrayIndex.interval(0, aOffset)).dup('c'));
        }
        if (aOffset + aSize < dim) {
            columnsOfR.add(hessian.get(rowsOfA, NDArrayIndex.interval(aOffset + aSize, dim)).dup('c'));
        }
        this.g = m == 0 ? null : e.vectors().transpose().mmul(Nd4j.hstack(columnsOfR));
        this.hRest = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                hRest[i * m + j] = hessian.getDouble(rest[i], rest[j]);
            }
        }
    }

    /**
     * log det(s H + D), d/ds of it and, per group, tr_g(P^-1) = d log det P / d delta_g.
     *
     * @param deltas one prior precision per group
     */
    LogDetTerms logDetTerms(double s, double[] deltas) {
        int m = rest.length;
        double deltaA = deltas[largest];
        double[] inverseT2 = new double[aSize];
        double logDet = 0;
        double traceA = 0;
        for (int j = 0; j < aSize; j++) {
            double t = s * mu[j] + deltaA;
            logDet += Math.log(t);
            inverseT2[j] = 1 / (t * t);
            traceA += 1 / t;
        }
        double[] dPrior = new double[deltas.length];
        if (m > 0) {
            DMatrixRMaj lower = schurCholesky(s, deltas);
            for (int i = 0; i < m; i++) {
                logDet += 2 * Math.log(lower.get(i, i));
            }
            // S^-1 = L^-T L^-1 of the small m x m complement
            TriangularSolver_DDRM.invertLower(lower.data, m);
            DMatrixRMaj schurInverse = new DMatrixRMaj(m, m);
            CommonOps_DDRM.multTransA(lower, lower, schurInverse);
            DMatrixRMaj second = weightedGram(inverseT2);
            double trace = 0;
            for (int i = 0; i < m * m; i++) {
                trace += schurInverse.data[i] * second.data[i];
            }
            traceA += s * s * trace;
            for (int i = 0; i < m; i++) {
                dPrior[restGroup[i]] += schurInverse.get(i, i);
            }
        }
        dPrior[largest] += traceA;
        double weighted = 0;
        for (int gi = 0; gi < deltas.length; gi++) {
            weighted += deltas[gi] * dPrior[gi];
        }
        return new LogDetTerms(logDet, (dim - weighted) / s, dPrior);
    }

    /**
     * A factor R ({@code dim x dim}, rows in flat parameter order) with {@code R R^T = P^-1}, from the block
     * factorisation of P: rows of A are {@code [U diag(t^-1/2), -s U diag(1/t) G L^-T]}, rows of R are
     * {@code [0, L^-T]}, with L the Cholesky factor of S.
     *
     * @param deltas one prior precision per group
     */
    INDArray covarianceRoot(double s, double[] deltas) {
        int m = rest.length;
        double deltaA = deltas[largest];
        double[] rootT = new double[aSize];
        double[] inverseT = new double[aSize];
        for (int j = 0; j < aSize; j++) {
            double t = s * mu[j] + deltaA;
            rootT[j] = 1 / Math.sqrt(t);
            inverseT[j] = 1 / t;
        }
        INDArray root = Nd4j.zeros(DataType.DOUBLE, dim, dim);
        org.nd4j.linalg.indexing.INDArrayIndex rowsOfA = NDArrayIndex.interval(aOffset, aOffset + aSize);
        root.get(rowsOfA, NDArrayIndex.interval(0, aSize))
                .assign(vectors.mulRowVector(Nd4j.createFromArray(rootT).reshape(1, aSize)));
        if (m > 0) {
            DMatrixRMaj lower = schurCholesky(s, deltas);
            TriangularSolver_DDRM.invertLower(lower.data, m);
            INDArray lowerInverseT = Nd4j.create(lower.data, new long[] {m, m}, 'c').transpose();
            INDArray coupling = vectors.mmul(g.mulColumnVector(Nd4j.createFromArray(inverseT).reshape(aSize, 1))
                    .mmul(lowerInverseT)).muli(-s);
            root.get(rowsOfA, NDArrayIndex.interval(aSize, dim)).assign(coupling);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    root.putScalar(rest[i], aSize + j, lowerInverseT.getDouble(i, j));
                }
            }
        }
        return root;
    }

    /** Lower Cholesky factor of S = s H_RR + D_R - s^2 G^T diag(1/t) G. */
    private DMatrixRMaj schurCholesky(double s, double[] deltas) {
        int m = rest.length;
        double[] inverseT = new double[aSize];
        for (int j = 0; j < aSize; j++) {
            inverseT[j] = 1 / (s * mu[j] + deltas[largest]);
        }
        DMatrixRMaj schur = new DMatrixRMaj(m, m, true, hRest.clone());
        CommonOps_DDRM.scale(s, schur);
        CommonOps_DDRM.addEquals(schur, -s * s, weightedGram(inverseT));
        for (int i = 0; i < m; i++) {
            schur.add(i, i, deltas[restGroup[i]]);
        }
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(m, true);
        if (!chol.decompose(schur)) {
            throw new IllegalStateException("posterior precision is not positive definite (Cholesky of the Schur "
                    + "complement failed) at scale " + s + ", prior " + java.util.Arrays.toString(deltas));
        }
        return chol.getT(null);
    }

    /** G^T diag(w) G, m x m. */
    private DMatrixRMaj weightedGram(double[] w) {
        int m = rest.length;
        INDArray weighted = g.mulColumnVector(Nd4j.createFromArray(w).reshape(w.length, 1));
        INDArray gram = weighted.transpose().mmul(g);
        return new DMatrixRMaj(m, m, true, gram.dup('c').data().asDouble());
    }
}
