package io.kronlaplace.laplace;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.curvature.DampedKronPower;
import io.kronlaplace.curvature.EigenbasisMatrix;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronBiasBlock;
import io.kronlaplace.curvature.KronBlock;
import io.kronlaplace.curvature.KronCurvature;
import io.kronlaplace.curvature.KronDecomposition;
import io.kronlaplace.curvature.KronEigenbasis;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.curvature.SpectralSums;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.PositionMatrices;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.nn.WeightLayer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Kronecker-factored Laplace posterior: per layer, the weight block B (x) A (K-FAC expand or reduce) and the bias block
 * B, each with its own prior precision. Every closed form works in the factors' eigenbases:
 * log det(s B (x) A + delta I) = sum_ij log(s lb_i la_j + delta), samples and inverse products rotate with Qb, Qa,
 * and the functional variance J P^-1 J^T is streamed over layers and examples from per-example layer Jacobians
 * G = sum_r g_r a_r^T rotated to Qb^T G Qa and divided elementwise by (s lb_i la_j + delta), without ever forming the
 * N x C x P Jacobian. The eigenbasis algebra is {@link KronEigenbasis} (see docs/kronecker-eigenbasis.md). Prior
 * precisions are SCALAR or PER_GROUP (a per-parameter prior has no Kronecker closed form).
 */
public final class KronLaplace extends LaplacePosterior {
    /**
     * Id of the {@link StepWorkspace} that holds one layer's temporaries of the functional covariance (its Jacobian
     * slices and their rotations), reused layer after layer and batch after batch instead of fresh off-heap arrays;
     * {@code StepWorkspace.release(COVARIANCE_WORKSPACE)} frees it.
     */
    public static final String COVARIANCE_WORKSPACE = "laplace-covariance";
    private final KfacFlavour flavour;
    private KfacEstimator estimator;
    private Map<String, KronDecomposition> decompositions;
    private List<CurvatureBlock> blocks;
    private KronEigenbasis[] eigenbases;
    private SpectralSums[] spectra;

    KronLaplace(Network network, LaplaceOptions options) {
        super(network, options);
        this.flavour = options.flavour();
    }

    /**
     * A fitted posterior from K-FAC factors and fit statistics computed elsewhere (e.g. by a training loop's own
     * curvature pass, see docs/online-training.md), at the network's current weights, which are taken as the MAP.
     * The factors must be those of the curvature the options describe: computed with the likelihood's
     * {@link LikelihoodType#curvatureLikelihood()} (unit noise for regression), the options' flavour, and summed over
     * the same examples as {@code statistics}.
     *
     * @param network    the network at the weights the factors were computed at
     * @param options    KRON options (subset, likelihood, initial hyperparameters, flavour)
     * @param factors    one entry per weight layer of the covered network, keyed by layer path
     * @param statistics examples, outputs and summed data term of the same data
     * @return the fitted KRON posterior at the options' initial hyperparameters
     * @throws IllegalArgumentException when the options are not KRON, a layer is missing, extra, of another shape or
     *                                  flavour, or a factor is not finite or has a negative diagonal
     */
    public static KronLaplace fromFactors(Network network, LaplaceOptions options, Map<String, KronFactors> factors,
                                          FitStatistics statistics) {
        java.util.Objects.requireNonNull(factors, "factors");
        java.util.Objects.requireNonNull(statistics, "statistics");
        requireKron(options);
        KronLaplace posterior = new KronLaplace(network, options);
        List<WeightLayer> layers = posterior.covered().curvatureNetwork().weightLayers();
        List<String> paths = layers.stream().map(WeightLayer::path).toList();
        if (!new java.util.HashSet<>(paths).equals(factors.keySet())) {
            throw new IllegalArgumentException("factors are given for layers " + factors.keySet()
                    + " but the covered weight layers are " + paths);
        }
        for (WeightLayer layer : layers) {
            KronFactors f = factors.get(layer.path());
            long dout = layer.weight().value().size(0);
            long din = layer.weight().value().length() / dout;
            if (f.outFeatures() != dout || f.inFeatures() != din) {
                throw new IllegalArgumentException("factors of layer '" + layer.path() + "' are for a " + f.outFeatures()
                        + " x " + f.inFeatures() + " weight, the layer's is " + dout + " x " + din);
            }
            f.requireNonNegativeDiagonal();
        }
        posterior.useDecompositions(KronDecomposition.ofAll(factors));
        posterior.installFit(statistics, posterior.covered().flatValues());
        return posterior;
    }

    /**
     * Rejects options of another structure than KRON, with the message of {@link #fromFactors}.
     *
     * @param options the options to check
     * @throws IllegalArgumentException for options that are not KRON
     */
    public static void requireKron(LaplaceOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        if (options.structure() != HessianStructure.KRON) {
            throw new IllegalArgumentException("a posterior from Kronecker factors needs structure KRON, got "
                    + options.structure());
        }
    }

    /**
     * The derivatives of one layer's log-determinant terms w.r.t. its Kronecker factors at the given hyperparameters
     * (the posterior's own stay unchanged): with the scale s = 1 / (sigma^2 T), the weight block
     * {@code log det(s B (x) A + delta_w I)} and the bias block {@code log det(s B + delta_b I)} change by
     * {@code <G_A, dA> + <G_B, dB>} to first order, where, in the factors' eigenbases,
     * {@code G_A = Q_A diag_j(sum_i s lb_i / (s lb_i la_j + delta_w)) Q_A^T} and
     * {@code G_B = Q_B diag_i(sum_j s la_j / (s lb_i la_j + delta_w) + s / (s lb_i + delta_b)) Q_B^T}.
     *
     * @param layerPath a covered layer's path
     * @param prior     a SCALAR or PER_GROUP prior precision for this posterior
     * @param scale     s = 1 / (sigma^2 T), finite and > 0
     * @return the gradients of the log determinant w.r.t. the layer's two Kronecker factors
     * @throws IllegalArgumentException for an unknown layer or a prior that does not fit
     */
    public FactorLogDetGradient logDetGradient(String layerPath, PriorPrecision prior, double scale) {
        requireFitted();
        Hyperparameters.requirePositive("curvature scale", scale);
        prior.requireCompatible(groups().size(), dim());
        checkPriorKind(prior);
        WeightLayer layer = covered().curvatureNetwork().weightLayers().stream()
                .filter(l -> l.path().equals(layerPath)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no factors for layer '" + layerPath + "'; layers: "
                        + decompositions.keySet()));
        KronDecomposition d = decompositions.get(layer.path());
        int[] g = groupsOf(layer);
        KronEigenbasis weight = KronEigenbasis.ofWeight(d);
        double deltaW = prior.groupValue(g[0]);
        EigenbasisMatrix gradientB = weight.logDetGradientB(scale, deltaW);
        if (g[1] >= 0) {
            gradientB = gradientB.plus(KronEigenbasis.ofBias(d).logDetGradientB(scale, prior.groupValue(g[1])));
        }
        return new FactorLogDetGradient(weight.logDetGradientA(scale, deltaW), gradientB);
    }

    /**
     * The structure this class implements.
     *
     * @return {@link HessianStructure#KRON}
     */
    @Override
    public HessianStructure structure() {
        return HessianStructure.KRON;
    }

    /**
     * The K-FAC flavour the factors were computed with.
     *
     * @return EXPAND or REDUCE
     */
    public KfacFlavour flavour() {
        return flavour;
    }

    @Override
    void checkPriorKind(PriorPrecision p) {
        if (p.kind() == PriorPrecision.Kind.PER_PARAMETER) {
            throw new IllegalArgumentException("KRON posteriors support SCALAR and PER_GROUP prior precisions; a "
                    + "PER_PARAMETER prior has no Kronecker closed form (use DIAG or FULL)");
        }
    }

    /**
     * The curvature blocks (KronBlock, KronBiasBlock) in group order.
     *
     * @return the blocks, unmodifiable
     */
    public List<CurvatureBlock> blocks() {
        requireFitted();
        return blocks;
    }

    /**
     * The factor eigendecompositions keyed by layer path of the curvature network.
     *
     * @return the decompositions, unmodifiable
     */
    public Map<String, KronDecomposition> decompositions() {
        requireFitted();
        return decompositions;
    }

    @Override
    void resetCurvature() {
        estimator = new KfacEstimator(covered().curvatureNetwork(), likelihood().curvatureLikelihood(),
                options().kfacOptions(0));
        decompositions = null;
        blocks = null;
        spectra = null;
    }

    @Override
    void accumulateCurvature(INDArray curvatureInputs, INDArray targets) {
        estimator.accumulate(curvatureInputs, targets);
    }

    @Override
    void completeFit() {
        estimator.releaseWorkspace();
        Map<String, KronDecomposition> decs = estimator.decompositions();
        // the estimator stays with the posterior: free the arrays its closed factors left for a next read-out
        estimator.releaseWorkspace();
        useDecompositions(decs);
    }

    /** Installs decompositions (after a fit or when loading) and precomputes the eigenvalue sums. */
    void useDecompositions(Map<String, KronDecomposition> decs) {
        Network net = covered().curvatureNetwork();
        this.decompositions = Collections.unmodifiableMap(new LinkedHashMap<>(decs));
        this.blocks = KronCurvature.blocksFromDecompositions(net, decompositions);
        for (WeightLayer layer : net.weightLayers()) {
            KronDecomposition d = decompositions.get(layer.path());
            if (d.flavour() != flavour) {
                throw new IllegalArgumentException("decomposition of layer '" + layer.path() + "' is " + d.flavour()
                        + ", the posterior is " + flavour);
            }
        }
        this.eigenbases = blocks.stream().map(KronLaplace::eigenbasisOf).toArray(KronEigenbasis[]::new);
        this.spectra = Arrays.stream(eigenbases).map(KronEigenbasis::spectralSums).toArray(SpectralSums[]::new);
    }

    private static KronEigenbasis eigenbasisOf(CurvatureBlock block) {
        if (block instanceof KronBlock weight) {
            return weight.eigenbasis();
        }
        if (block instanceof KronBiasBlock bias) {
            return bias.eigenbasis();
        }
        throw new IllegalStateException("block '" + block.name() + "' is not a Kronecker block");
    }

    @Override
    LogDetTerms logDetTerms(double s, PriorPrecision p) {
        return groupLogDet(spectra, s, p);
    }

    @Override
    INDArray inverseSqrtPrecisionTimes(INDArray eps, double s, PriorPrecision p) {
        INDArray out = Nd4j.create(DataType.DOUBLE, eps.shape());
        List<ParameterGroup> groups = groups();
        for (int g = 0; g < groups.size(); g++) {
            ParameterGroup pg = groups.get(g);
            INDArray e = eps.get(NDArrayIndex.all(), NDArrayIndex.interval(pg.offset(), pg.offset() + pg.size()))
                    .dup('c');
            INDArray r = eigenbases[g].power(s, p.groupValue(g), -0.5, DataType.DOUBLE, kernels()).apply(e);
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(pg.offset(), pg.offset() + pg.size())).assign(r);
        }
        return out;
    }

    @Override
    double precisionQuadraticForm(double[] v, double s, PriorPrecision p) {
        double q = 0;
        List<ParameterGroup> groups = groups();
        for (int g = 0; g < groups.size(); g++) {
            ParameterGroup pg = groups.get(g);
            INDArray x = Nd4j.createFromArray(java.util.Arrays.copyOfRange(v, (int) pg.offset(),
                    (int) (pg.offset() + pg.size())));
            double hx = x.mul(blocks.get(g).mvp(x)).sumNumber().doubleValue();
            q += s * hx + p.groupValue(g) * x.mul(x).sumNumber().doubleValue();
        }
        return q;
    }

    @Override
    FunctionalCovariance functionalCovariance(int examples, int outputs, double s, PriorPrecision p) {
        INDArray result = Nd4j.zeros(DataType.DOUBLE, examples, outputs, outputs);
        return new FunctionalCovariance() {
            @Override
            @SuppressWarnings("try") // the workspace scope is held for its effect only
            public void observe(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
                int[] gs = groupsOf(layer);
                if (gs == null) {
                    return;
                }
                try (StepWorkspace ignored = StepWorkspace.open(COVARIANCE_WORKSPACE)) {
                    LayerSlices slices = slices(layer, input, gradOutput, copies);
                    addLayer(slices, eigenbases[gs[0]], s, p.groupValue(gs[0]), examples, outputs, result);
                    if (gs[1] >= 0) {
                        DampedKronPower inverse = eigenbases[gs[1]].power(s, p.groupValue(gs[1]), -1.0,
                                DataType.DOUBLE, kernels());
                        INDArray gb = slices.biasJacobians().mmul(inverse.qb());
                        JacobianProducts.addWeightedGram(gb, gb.mulRowVector(inverse.grid().reshape(1,
                                inverse.outFeatures())), examples, outputs, result);
                    }
                }
            }

            @Override
            INDArray result() {
                return result;
            }
        };
    }

    /**
     * Adds sum_ij (Qb^T G_c Qa)_ij (Qb^T G_c' Qa)_ij / (s lb_i la_j + delta) of one layer's weight to out. The products
     * run in the network's floating type (float32 for float32 networks, float64 in tests) into reused buffers.
     */
    private void addLayer(LayerSlices slices, KronEigenbasis basis, double s, double delta, int examples,
                                 int outputs, INDArray out) {
        PositionMatrices a = slices.inputMatrices();
        PositionMatrices g = slices.gradientMatrices();
        DataType type = a.values().dataType();
        long dout = basis.outFeatures();
        long din = basis.inFeatures();
        long k = g.rows();
        if (a.positions() == 1) {
            // G_k = g_k a_n^T is rank one: (Qb^T G_k Qa)_ij = gh_ki ah_nj, so the sum over j collapses to
            // M_ni = sum_j ah_nj^2 K_ij and the covariance is sum_i gh_ci gh_c'i M_ni.
            DampedKronPower inverse = basis.power(s, delta, -1.0, DataType.DOUBLE, kernels());
            INDArray ah = a.values().reshape(examples, din).castTo(DataType.DOUBLE).mmul(inverse.qa());
            INDArray gh = g.values().reshape(k, dout).castTo(DataType.DOUBLE).mmul(inverse.qb());
            INDArray m = ah.muli(ah).mmul(inverse.grid().transpose());
            INDArray weighted = gh.mul(io.kronlaplace.nn.Tensors.repeatCopies(m, outputs));
            JacobianProducts.addWeightedGram(gh, weighted, examples, outputs, out);
            return;
        }
        DampedKronPower inverseSqrt = basis.power(s, delta, -0.5, type, kernels());
        INDArray sqrtGrid = inverseSqrt.grid().reshape(1, dout * din);
        // every position rotated into the eigenbases: a Qa as N x R x Din, and each vector's Qb^T g as a Dout x R
        // block at [n, c] of N x C x Dout x R, so that one product per example gives all C classes' Qb^T G_c Qa
        INDArray ah = rotatedPositionsFirst(a, inverseSqrt.qa());
        INDArray gh = rotatedFeaturesFirstByExample(g, inverseSqrt.qb(), outputs, examples);
        INDArray xRows = Nd4j.createUninitialized(type, outputs, dout * din);
        INDArray x = xRows.reshape((long) outputs * dout, din);
        INDArray gram = Nd4j.createUninitialized(type, outputs, outputs);
        for (int n = 0; n < examples; n++) {
            kernels().gemm(row(gh, n), row(ah, n), x, false, false, 1.0, 0.0);
            // scaled by sqrt(K) so that X X^T is the K-weighted inner product of the classes' Jacobians
            xRows.muliRowVector(sqrtGrid);
            kernels().gemm(xRows, xRows, gram, false, true, 1.0, 0.0);
            row(out, n).addi(gram.castTo(DataType.DOUBLE));
        }
    }

    /**
     * The matrices' positions with their features rotated by q, {@code [rows, R, D]}: one product over all rows'
     * positions when they are stored positions first, otherwise one product per row that reads the row's
     * {@code D x R} matrix transposed (m^T q), so the layer's orientation costs no transposing copy.
     */
    private INDArray rotatedPositionsFirst(PositionMatrices m, INDArray q) {
        INDArray v = m.values();
        long rows = m.rows();
        if (m.orientation() == PositionMatrices.Orientation.POSITIONS_BY_FEATURES) {
            return v.reshape(rows * m.positions(), m.features()).mmul(q).reshape(rows, m.positions(), m.features());
        }
        INDArray out = Nd4j.createUninitialized(v.dataType(), rows, m.positions(), m.features());
        for (long i = 0; i < rows; i++) {
            kernels().gemm(row(v, i), q, row(out, i), true, false, 1.0, 0.0);
        }
        return out;
    }

    /**
     * The copy-major vectors' matrices (row {@code c * N + n}) with their features rotated by q and laid out features
     * first by example: {@code Q^T m} as the {@code D x R} block {@code [n, c]} of {@code [N, C * D, R]}. Each row is
     * one product that reads the stored matrix as it lies, transposed when its positions come first.
     */
    private INDArray rotatedFeaturesFirstByExample(PositionMatrices m, INDArray q, int copies, int examples) {
        INDArray v = m.values();
        long d = m.features();
        long r = m.positions();
        boolean positionsFirst = m.orientation() == PositionMatrices.Orientation.POSITIONS_BY_FEATURES;
        INDArray out = Nd4j.createUninitialized(v.dataType(), examples, copies, d, r);
        for (int c = 0; c < copies; c++) {
            for (int n = 0; n < examples; n++) {
                kernels().gemm(q, row(v, (long) c * examples + n), out.get(NDArrayIndex.point(n),
                        NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all()), true, positionsFirst, 1.0,
                        0.0);
            }
        }
        return out.reshape(examples, copies * d, r);
    }

    private static INDArray row(INDArray stack, long i) {
        return stack.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
