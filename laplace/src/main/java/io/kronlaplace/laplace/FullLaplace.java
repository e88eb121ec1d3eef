package io.kronlaplace.laplace;

import io.kronlaplace.curvature.SpectralSums;
import io.kronlaplace.linalg.Eigendecomposition;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Laplace posterior with the exact dense GGN H = sum_n J_n^T Lambda_n J_n over all covered weights (cross-layer
 * couplings included). Over several layers it is assembled from per-example Jacobians read during backward passes and
 * construction fails above {@value #MAX_PARAMETERS} covered parameters; over the LAST_LAYER subset it uses the closed
 * form J = g^T (x) phi(x)^T of a Linear layer (one weighted Gram of the features per output pair, no per-example
 * Jacobian) and accepts up to {@value #MAX_LAST_LAYER_PARAMETERS} parameters (a 1024-feature, 10-class head). H and
 * its eigenvectors take 8 dim^2 bytes each. See docs/laplace.md, section Full posterior over the last layer.
 *
 * <p>Over the SUBNETWORK subset the per-example Jacobian rows are those of the whole network restricted to the chosen
 * parameters' columns, with every other weight at its MAP value (see docs/laplace.md, section Subnetwork Laplace); the
 * same {@value #MAX_PARAMETERS}-parameter limit applies to the subnetwork's size.
 *
 * <p>Over the last layer, a fit accumulates the C(C+1)/2 weighted Grams in one compact buffer (one GEMM per batch) and
 * writes H once. One eigendecomposition of the weight block, taken at the first marginal-likelihood evaluation after
 * a fit, and a Schur complement onto the C biases ({@link GroupSchurComplement}) give the log-determinant, its
 * gradients, samples and the functional covariance for a scalar or per-group prior in closed form, with no inverse of
 * P; before that evaluation, samples and predictions use R = L^-T from a LAPACK Cholesky factorisation of P
 * ({@link CholeskyRoot}, about a tenth of the eigendecomposition's time), kept per (s, prior). Over ALL, a scalar prior uses H's
 * eigendecomposition (once per fit) and per-group priors the Schur form onto all but the largest group (its block
 * decomposed at the first such evaluation). Per-parameter priors Cholesky-factorise P (EJML) at each evaluation.
 */
public final class FullLaplace extends LaplacePosterior {
    /** The largest number of covered parameters a FULL posterior over the ALL or SUBNETWORK subset accepts. */
    public static final long MAX_PARAMETERS = 5_000;
    /** The largest number of covered parameters a FULL posterior over the LAST_LAYER subset accepts. */
    public static final long MAX_LAST_LAYER_PARAMETERS = 10_250;

    private INDArray hessian;
    private INDArray eigenvectors;
    private INDArray eigenvalues;
    private SpectralSums spectrum;
    private CachedRoot cachedRoot;
    /**
     * The Schur-complement closed forms: built by each LAST_LAYER fit (for every scalar or per-group prior), else at
     * the first per-group evaluation after a fit.
     */
    private GroupSchurComplement groupSchur;
    /**
     * The last layer's weighted Gram blocks added since the last completed fit (see
     * {@link SingleLayerJacobian#addGgnBlocks}); written into {@link #hessian} once, by {@link #completeFit}.
     */
    private PendingBlocks pendingBlocks;

    FullLaplace(Network network, LaplaceOptions options) {
        super(network, options);
        if (options.subset() == SubsetOfWeights.LAST_LAYER && dim() > MAX_LAST_LAYER_PARAMETERS) {
            throw new IllegalArgumentException("FULL Hessian structure over the last layer is limited to "
                    + MAX_LAST_LAYER_PARAMETERS + " parameters, the last layer of this network has " + dim()
                    + "; use KRON or DIAG");
        }
        if (options.subset() == SubsetOfWeights.SUBNETWORK && dim() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("FULL Hessian structure is limited to " + MAX_PARAMETERS
                    + " parameters, the subnetwork has " + dim() + "; choose a smaller subnetwork");
        }
        if (options.subset() == SubsetOfWeights.ALL && dim() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("FULL Hessian structure is limited to " + MAX_PARAMETERS
                    + " parameters, the " + options.subset() + " subset of this network has " + dim()
                    + "; use KRON or DIAG, or the LAST_LAYER or SUBNETWORK subset");
        }
        this.hessian = Nd4j.zeros(DataType.DOUBLE, dim(), dim());
    }

    /** The structure this class implements. */
    @Override
    public HessianStructure structure() {
        return HessianStructure.FULL;
    }

    /**
     * The dense GGN (a copy), flat group order.
     *
     * @return the {@code dim x dim} GGN, float64
     */
    public INDArray hessian() {
        requireFitted();
        return hessian.dup();
    }

    /**
     * The posterior covariance P^-1 at the current prior precision, noise and temperature, flat group order.
     *
     * @return a new {@code dim x dim} float64 matrix
     * @throws IllegalStateException before {@link #fit}
     */
    public INDArray posteriorCovariance() {
        requireFitted();
        INDArray root = covarianceRoot(scale(), priorPrecision());
        return root.mmul(root.transpose());
    }

    @Override
    void resetCurvature() {
        hessian = Nd4j.zeros(DataType.DOUBLE, dim(), dim());
        eigenvectors = null;
        eigenvalues = null;
        spectrum = null;
        cachedRoot = null;
        groupSchur = null;
        pendingBlocks = null;
    }

    @Override
    void accumulateCurvature(INDArray curvatureInputs, INDArray targets) {
        int c = Math.toIntExact(outputs());
        long k = (long) c * curvatureInputs.size(0);
        INDArray[] jacobian = new INDArray[1];
        covered().forwardBackward(curvatureInputs, out -> likelihood().curvatureLikelihood().hessianSqrt(out, targets),
                c, (layer, input, grad, copies) -> {
                    LayerSlices slices = LayerSlices.of(layer, input, grad, copies);
                    SingleLayerJacobian closedForm = closedForm(layer, slices);
                    if (closedForm != null) {
                        if (pendingBlocks == null) {
                            pendingBlocks = PendingBlocks.of(closedForm);
                        }
                        closedForm.addGgnBlocks(pendingBlocks.blocks(), kernels());
                        return;
                    }
                    if (jacobian[0] == null) {
                        jacobian[0] = Nd4j.zeros(DataType.DOUBLE, k, dim());
                    }
                    writeRows(layer, slices, jacobian[0]);
                });
        if (jacobian[0] != null) {
            kernels().gemm(jacobian[0], jacobian[0], hessian, true, false, 1.0, 1.0);
        }
    }

    /**
     * The closed-form Jacobian of the last layer when it is the only covered layer and has one position per example,
     * else null (then per-example Jacobian rows are used).
     */
    private SingleLayerJacobian closedForm(WeightLayer layer, LayerSlices slices) {
        int[] gs = groupsOf(layer);
        if (subset() != SubsetOfWeights.LAST_LAYER || gs == null || !SingleLayerJacobian.applies(slices)) {
            return null;
        }
        long biasOffset = gs[1] >= 0 ? groups().get(gs[1]).offset() : -1;
        return new SingleLayerJacobian(slices, groups().get(gs[0]).offset(), biasOffset);
    }

    private void writeRows(WeightLayer layer, LayerSlices slices, INDArray jacobian) {
        int[] gs = groupsOf(layer);
        if (gs == null) {
            return;
        }
        if (gs[0] >= 0) {
            writeGroup(gs[0], slices.weightJacobians(), jacobian);
        }
        if (gs[1] >= 0) {
            writeGroup(gs[1], slices.biasJacobians(), jacobian);
        }
    }

    /** Writes one group's Jacobian columns (a subnetwork group's chosen columns) into the per-example rows. */
    private void writeGroup(int group, INDArray rowsOverTensor, INDArray jacobian) {
        ParameterGroup g = groups().get(group);
        jacobian.get(NDArrayIndex.all(), NDArrayIndex.interval(g.offset(), g.offset() + g.size()))
                .assign(covered().groupColumns(group, rowsOverTensor));
    }

    @Override
    void completeFit() {
        if (pendingBlocks != null) {
            pendingBlocks.addTo(hessian);
            pendingBlocks = null;
        }
        cachedRoot = null;
        groupSchur = null;
        eigenvectors = null;
        eigenvalues = null;
        spectrum = null;
        if (subset() == SubsetOfWeights.LAST_LAYER) {
            // the weight block's eigendecomposition (about ten Cholesky factorisations of P for a 512 x 10 head) is
            // taken by the first marginal-likelihood evaluation, which amortises it over the tuning steps; a
            // prediction before any such evaluation factorises P instead (see covarianceRoot)
            return;
        }
        Eigendecomposition e = kernels().decomposeSymmetric(hessian.add(hessian.transpose()).muli(0.5));
        eigenvectors = e.vectors();
        // rounding can make a semi-definite GGN's smallest eigenvalues slightly negative
        eigenvalues = org.nd4j.linalg.ops.transforms.Transforms.max(e.values(), 0.0, true);
        spectrum = SpectralSums.of(eigenvalues.data().asDouble());
    }

    /** Whether the prior goes through the Schur-complement closed forms (else the spectrum or a Cholesky of P). */
    private boolean viaSchur(PriorPrecision p) {
        return p.kind() == PriorPrecision.Kind.PER_GROUP
                || (p.kind() == PriorPrecision.Kind.SCALAR && subset() == SubsetOfWeights.LAST_LAYER);
    }

    /** One prior value per group: the per-group values, or the scalar repeated. */
    private double[] groupDeltas(PriorPrecision p) {
        double[] deltas = new double[groups().size()];
        for (int g = 0; g < deltas.length; g++) {
            deltas[g] = p.groupValue(g);
        }
        return deltas;
    }

    private GroupSchurComplement groupSchur() {
        if (groupSchur == null) {
            groupSchur = new GroupSchurComplement(hessian, groups(), kernels());
        }
        return groupSchur;
    }

    /** Restores a saved dense GGN. */
    void restoreHessian(INDArray h) {
        if (h.rank() != 2 || h.size(0) != dim() || h.size(1) != dim()) {
            throw new IllegalArgumentException("dense Hessian must be " + dim() + " x " + dim() + ", got "
                    + java.util.Arrays.toString(h.shape()));
        }
        this.hessian = h.castTo(DataType.DOUBLE).dup('c');
        completeFit();
    }

    @Override
    LogDetTerms logDetTerms(double s, PriorPrecision p) {
        if (viaSchur(p)) {
            LogDetTerms terms = groupSchur().logDetTerms(s, groupDeltas(p));
            if (p.kind() == PriorPrecision.Kind.PER_GROUP) {
                return terms;
            }
            double trace = 0;
            for (double t : terms.dPrior()) {
                trace += t;
            }
            return new LogDetTerms(terms.logDet(), terms.dScale(), new double[] {trace});
        }
        if (p.kind() == PriorPrecision.Kind.SCALAR) {
            double d = p.value(0);
            double[] sums = new double[2];
            spectrum.sums(s, d, sums);
            return new LogDetTerms(sums[0], (dim() - d * sums[1]) / s, new double[] {sums[1]});
        }
        Factorised f = factorise(s, p);
        DMatrixRMaj inverse = f.inverse();
        int n = Math.toIntExact(dim());
        double[] h = hessian.dup('c').data().asDouble();
        double dScale = 0;
        for (int i = 0; i < h.length; i++) {
            dScale += inverse.data[i] * h[i];
        }
        double[] dPrior = new double[p.size()];
        for (int i = 0; i < n; i++) {
            dPrior[i] = inverse.get(i, i);
        }
        return new LogDetTerms(f.logDet(), dScale, dPrior);
    }

    @Override
    INDArray inverseSqrtPrecisionTimes(INDArray eps, double s, PriorPrecision p) {
        if (viaSchur(p)) {
            // rows x^T = e^T R^T have covariance R R^T = P^-1
            return eps.mmul(covarianceRoot(s, p).transpose());
        }
        if (p.kind() == PriorPrecision.Kind.SCALAR) {
            // E Q diag((s l + delta)^-1/2) Q^T: the symmetric inverse square root applied to each row
            return eps.mmul(eigenvectors).muliRowVector(dampedPower(s, p.value(0), -0.5))
                    .mmul(eigenvectors.transpose());
        }
        // x = L^-T e has covariance L^-T L^-1 = P^-1; for rows, x^T = e^T L^-1
        DMatrixRMaj linv = factorise(s, p).lower().copy();
        TriangularSolver_DDRM.invertLower(linv.data, linv.numRows);
        return eps.mmul(Nd4j.create(linv.data, new long[] {linv.numRows, linv.numCols}, 'c'));
    }

    /** (s l + delta)^power over H's eigenvalues, as a row vector. */
    private INDArray dampedPower(double s, double delta, double power) {
        return org.nd4j.linalg.ops.transforms.Transforms.pow(eigenvalues.mul(s).addi(delta), power, false)
                .reshape(1, eigenvalues.length());
    }

    @Override
    double precisionQuadraticForm(double[] v, double s, PriorPrecision p) {
        double[] delta = perParameterPrior(p);
        INDArray x = Nd4j.createFromArray(v);
        double q = s * x.mul(hessian.mmul(x.reshape(v.length, 1)).reshape(v.length)).sumNumber().doubleValue();
        for (int i = 0; i < v.length; i++) {
            q += delta[i] * v[i] * v[i];
        }
        return q;
    }

    @Override
    FunctionalCovariance functionalCovariance(int examples, int outputs, double s, PriorPrecision p) {
        INDArray root = covarianceRoot(s, p);
        INDArray[] jacobianTimesRoot = new INDArray[1];
        INDArray[] jacobian = new INDArray[1];
        return new FunctionalCovariance() {
            @Override
            public void observe(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
                LayerSlices slices = slices(layer, input, gradOutput, copies);
                SingleLayerJacobian closedForm = closedForm(layer, slices);
                if (closedForm != null) {
                    jacobianTimesRoot[0] = closedForm.timesByExample(root);
                    return;
                }
                if (jacobian[0] == null) {
                    jacobian[0] = Nd4j.zeros(DataType.DOUBLE, (long) examples * outputs, dim());
                }
                writeRows(layer, slices, jacobian[0]);
            }

            @Override
            INDArray result() {
                INDArray result = Nd4j.zeros(DataType.DOUBLE, examples, outputs, outputs);
                if (jacobianTimesRoot[0] != null) {
                    JacobianProducts.addGramsByExample(jacobianTimesRoot[0], result);
                } else {
                    INDArray jr = jacobian[0].mmul(root);
                    JacobianProducts.addWeightedGram(jr, jr, examples, outputs, result);
                }
                return result;
            }
        };
    }

    /**
     * A factor R with R R^T = P^-1: from the Schur-complement form ({@link GroupSchurComplement#covarianceRoot}),
     * Q diag((s l + delta)^-1/2) from H's eigendecomposition for a scalar prior over ALL, else L^-T from the Cholesky
     * factor of P. Kept for the last (s, prior), since a prediction evaluates it per batch.
     */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    private INDArray covarianceRoot(double s, PriorPrecision p) {
        if (cachedRoot != null && cachedRoot.matches(s, p)) {
            return cachedRoot.root();
        }
        INDArray root;
        // the cached root outlives the caller's workspace (a prediction runs batch after batch in one)
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (viaSchur(p) && groupSchur == null && subset() == SubsetOfWeights.LAST_LAYER) {
                root = CholeskyRoot.of(hessian, s, perParameterPrior(p));
            } else if (viaSchur(p)) {
                root = groupSchur().covarianceRoot(s, groupDeltas(p));
            } else if (p.kind() == PriorPrecision.Kind.SCALAR) {
                root = eigenvectors.mulRowVector(dampedPower(s, p.value(0), -0.5));
            } else {
                DMatrixRMaj linv = factorise(s, p).lower().copy();
                TriangularSolver_DDRM.invertLower(linv.data, linv.numRows);
                root = Nd4j.create(linv.data, new long[] {linv.numRows, linv.numCols}, 'c').transpose().dup('c');
            }
        }
        cachedRoot = new CachedRoot(s, p.kind(), p.values(), root);
        return root;
    }

    /** Gram blocks of the last layer awaiting {@link #completeFit}, with the layout that places them in H. */
    private record PendingBlocks(INDArray blocks, int din, int dout, long weightOffset, long biasOffset) {
        @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
        static PendingBlocks of(SingleLayerJacobian layer) {
            // the buffer outlives the fit's per-batch workspace cycles
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return new PendingBlocks(layer.zeroGgnBlocks(), layer.inputFeatures(), layer.outputFeatures(),
                        layer.weightOffset(), layer.biasOffset());
            }
        }

        void addTo(INDArray hessian) {
            SingleLayerJacobian.scatterGgnBlocks(blocks, hessian, din, dout, weightOffset, biasOffset);
        }
    }

    /** A covariance root and the hyperparameters it belongs to. */
    private record CachedRoot(double scale, PriorPrecision.Kind kind, double[] prior, INDArray root) {
        boolean matches(double s, PriorPrecision p) {
            return scale == s && kind == p.kind() && java.util.Arrays.equals(prior, p.values());
        }
    }

    private record Factorised(DMatrixRMaj lower, double logDet) {
        /** P^-1 = L^-T L^-1. */
        DMatrixRMaj inverse() {
            int n = lower.numRows;
            DMatrixRMaj linv = lower.copy();
            TriangularSolver_DDRM.invertLower(linv.data, n);
            DMatrixRMaj inv = new DMatrixRMaj(n, n);
            CommonOps_DDRM.multTransA(linv, linv, inv);
            return inv;
        }
    }

    private Factorised factorise(double s, PriorPrecision p) {
        int n = Math.toIntExact(dim());
        double[] delta = perParameterPrior(p);
        DMatrixRMaj m = new DMatrixRMaj(n, n, true, hessian.dup('c').data().asDouble());
        CommonOps_DDRM.scale(s, m);
        for (int i = 0; i < n; i++) {
            m.add(i, i, delta[i]);
        }
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
        if (!chol.decompose(m)) {
            throw new IllegalStateException("posterior precision is not positive definite (Cholesky failed) at scale "
                    + s + ", prior " + p);
        }
        DMatrixRMaj lower = chol.getT(null);
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            logDet += 2 * Math.log(lower.get(i, i));
        }
        return new Factorised(lower, logDet);
    }
}
