package io.kronlaplace.laplace;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KronCurvature;
import io.kronlaplace.curvature.KronDecomposition;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.nn.WeightLayer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Kronecker-factored Laplace posterior: per layer, the weight block B (x) A (K-FAC expand or reduce) and the bias block
 * B, each with its own prior precision. Every closed form works in the factors' eigenbases:
 * log det(s B (x) A + delta I) = sum_ij log(s lb_i la_j + delta), samples and inverse products rotate with Qb, Qa,
 * and the functional variance J P^-1 J^T is streamed over layers and examples from per-example layer Jacobians
 * G = sum_r g_r a_r^T rotated to Qb^T G Qa and divided elementwise by (s lb_i la_j + delta), without ever forming the
 * N x C x P Jacobian. Prior precisions are SCALAR or PER_GROUP (a per-parameter prior has no Kronecker closed form).
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
    private SpectralSums[] spectra;
    private Map<WeightLayer, KronDecomposition> layerDecompositions;

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
     * @throws IllegalArgumentException when the options are not KRON, a layer is missing, extra, of another shape or
     *                                  flavour, or a factor is not finite or has a negative diagonal
     */
    public static KronLaplace fromFactors(Network network, LaplaceOptions options, Map<String, KronFactors> factors,
                                          FitStatistics statistics) {
        java.util.Objects.requireNonNull(factors, "factors");
        java.util.Objects.requireNonNull(statistics, "statistics");
        if (options.structure() != HessianStructure.KRON) {
            throw new IllegalArgumentException("a posterior from Kronecker factors needs structure KRON, got "
                    + options.structure());
        }
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
        KronDecomposition d = layerDecompositions.get(layer);
        int[] g = groupsOf(layer);
        double deltaW = prior.groupValue(g[0]);
        double[] la = d.la().toDoubleVector();
        double[] lb = d.lb().toDoubleVector();
        double[] ga = new double[la.length];
        double[] gb = new double[lb.length];
        for (int i = 0; i < lb.length; i++) {
            for (int j = 0; j < la.length; j++) {
                double denom = scale * lb[i] * la[j] + deltaW;
                ga[j] += scale * lb[i] / denom;
                gb[i] += scale * la[j] / denom;
            }
        }
        if (g[1] >= 0) {
            double deltaB = prior.groupValue(g[1]);
            for (int i = 0; i < lb.length; i++) {
                gb[i] += scale / (scale * lb[i] + deltaB);
            }
        }
        return new FactorLogDetGradient(d.qa(), ga, d.qb(), gb);
    }

    /** The structure this class implements. */
    @Override
    public HessianStructure structure() {
        return HessianStructure.KRON;
    }

    /** The K-FAC flavour the factors were computed with. */
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

    /** The curvature blocks (KronBlock, KronBiasBlock) in group order. */
    public List<CurvatureBlock> blocks() {
        requireFitted();
        return blocks;
    }

    /** The factor eigendecompositions keyed by layer path of the curvature network. */
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
        useDecompositions(estimator.decompositions());
    }

    /** Installs decompositions (after a fit or when loading) and precomputes the eigenvalue sums. */
    void useDecompositions(Map<String, KronDecomposition> decs) {
        Network net = covered().curvatureNetwork();
        this.decompositions = Collections.unmodifiableMap(new LinkedHashMap<>(decs));
        this.blocks = KronCurvature.blocksFromDecompositions(net, decompositions);
        this.layerDecompositions = new IdentityHashMap<>();
        List<SpectralSums> s = new ArrayList<>();
        for (WeightLayer layer : net.weightLayers()) {
            KronDecomposition d = decompositions.get(layer.path());
            if (d.flavour() != flavour) {
                throw new IllegalArgumentException("decomposition of layer '" + layer.path() + "' is " + d.flavour()
                        + ", the posterior is " + flavour);
            }
            layerDecompositions.put(layer, d);
            double[] lb = d.lb().data().asDouble();
            s.add(new SpectralSums(lb, d.la().data().asDouble()));
            if (layer.bias() != null) {
                s.add(SpectralSums.of(lb));
            }
        }
        this.spectra = s.toArray(SpectralSums[]::new);
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
            KronDecomposition d = layerDecompositions.get(pg.layer());
            INDArray e = eps.get(NDArrayIndex.all(), NDArrayIndex.interval(pg.offset(), pg.offset() + pg.size()))
                    .dup('c');
            INDArray qb = d.qb();
            long dout = qb.size(0);
            double delta = p.groupValue(g);
            INDArray r;
            if (pg.bias()) {
                INDArray f = Transforms.pow(d.lb().muli(s).addi(delta), -0.5, false).reshape(1, dout);
                r = e.mmul(qb).muliRowVector(f).mmul(qb.transpose());
            } else {
                r = rotateScaleBack(e, d, dampedGrid(d, s, delta, -0.5));
            }
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(pg.offset(), pg.offset() + pg.size())).assign(r);
        }
        return out;
    }

    /** (s lb_i la_j + delta)^power, Dout x Din. */
    private static INDArray dampedGrid(KronDecomposition d, double s, double delta, double power) {
        INDArray grid = d.lb().reshape(d.outFeatures(), 1).mmul(d.la().reshape(1, d.inFeatures())).muli(s)
                .addi(delta);
        return Transforms.pow(grid, power, false);
    }

    /**
     * For each row w of {@code e} (a row-major Dout x Din matrix W) computes Qb ((Qb^T W Qa) o F) Qa^T, batched over
     * rows with four matrix products.
     */
    private static INDArray rotateScaleBack(INDArray e, KronDecomposition d, INDArray f) {
        long count = e.size(0);
        long dout = d.outFeatures();
        long din = d.inFeatures();
        INDArray qa = d.qa();
        INDArray qb = d.qb();
        // per row: X = W Qa, then (Qb^T X)^T = X^T Qb, laid out count x Din x Dout
        INDArray x = e.reshape(count * dout, din).mmul(qa).reshape(count, dout, din);
        INDArray zt = x.permute(0, 2, 1).dup('c').reshape(count * din, dout).mmul(qb).reshape(count, din, dout);
        zt.muli(Nd4j.tile(f.transpose().dup('c').reshape(1, din, dout), (int) count, 1, 1));
        // back: (Qb Z)^T = Z^T Qb^T, then W' = (Qb Z) Qa^T
        INDArray bz = zt.reshape(count * din, dout).mmul(qb.transpose()).reshape(count, din, dout);
        return bz.permute(0, 2, 1).dup('c').reshape(count * dout, din).mmul(qa.transpose()).reshape(count,
                dout * din);
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
            public void observe(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
                int[] gs = groupsOf(layer);
                if (gs == null) {
                    return;
                }
                KronDecomposition d = layerDecompositions.get(layer);
                try (StepWorkspace ignored = StepWorkspace.open(COVARIANCE_WORKSPACE)) {
                    LayerSlices slices = LayerSlices.of(layer, input, gradOutput, copies);
                    addLayer(slices, d, s, p.groupValue(gs[0]), examples, outputs, result);
                    if (gs[1] >= 0) {
                        INDArray gb = slices.biasJacobians().mmul(d.qb());
                        INDArray w = Transforms.pow(d.lb().muli(s).addi(p.groupValue(gs[1])), -1.0, false);
                        JacobianProducts.addWeightedGram(gb, gb.mulRowVector(w.reshape(1, w.length())), examples,
                                outputs, result);
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
    private static void addLayer(LayerSlices slices, KronDecomposition d, double s, double delta, int examples,
                                 int outputs, INDArray out) {
        INDArray a = slices.inputs();
        INDArray g = slices.gradients();
        DataType type = a.dataType();
        INDArray qa = d.qa().castTo(type);
        INDArray qb = d.qb().castTo(type);
        long dout = qb.size(0);
        long din = qa.size(0);
        INDArray inverseGrid = dampedGrid(d, s, delta, -1.0);
        long r = a.size(1);
        long k = g.size(0);
        if (r == 1) {
            // G_k = g_k a_n^T is rank one: (Qb^T G_k Qa)_ij = gh_ki ah_nj, so the sum over j collapses to
            // M_ni = sum_j ah_nj^2 K_ij and the covariance is sum_i gh_ci gh_c'i M_ni.
            INDArray ah = a.reshape(examples, din).castTo(DataType.DOUBLE).mmul(d.qa());
            INDArray gh = g.reshape(k, dout).castTo(DataType.DOUBLE).mmul(d.qb());
            INDArray m = ah.muli(ah).mmul(inverseGrid.transpose());
            INDArray weighted = gh.mul(io.kronlaplace.nn.Tensors.repeatCopies(m, outputs));
            JacobianProducts.addWeightedGram(gh, weighted, examples, outputs, out);
            return;
        }
        INDArray sqrtGrid = Transforms.sqrt(inverseGrid, false).reshape(1, dout * din).castTo(type);
        // rotate all positions at once: g Qb as C x N x R x Dout (copy-major rows), a Qa as N x R x Din
        INDArray gh = g.reshape(k * r, dout).mmul(qb).reshape(outputs, examples, r, dout);
        INDArray ah = a.reshape(examples * r, din).mmul(qa).reshape(examples, r, din);
        INDArray gn = Nd4j.create(type, outputs, dout, r);
        INDArray gnMatrix = gn.reshape((long) outputs * dout, r);
        INDArray x = Nd4j.create(type, (long) outputs * dout, din);
        INDArray xRows = x.reshape(outputs, dout * din);
        INDArray gram = Nd4j.create(type, outputs, outputs);
        for (int n = 0; n < examples; n++) {
            gn.assign(gh.get(NDArrayIndex.all(), NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all())
                    .permute(0, 2, 1));
            INDArray an = ah.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all());
            // row c of xRows: vec(Qb^T G_c Qa) scaled by sqrt(K), so that X X^T is the K-weighted inner product
            Nd4j.gemm(gnMatrix, an.dup('c'), x, false, false, 1.0, 0.0);
            xRows.muliRowVector(sqrtGrid);
            Nd4j.gemm(xRows, xRows, gram, false, true, 1.0, 0.0);
            out.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all()).addi(gram.castTo(DataType.DOUBLE));
        }
    }
}
