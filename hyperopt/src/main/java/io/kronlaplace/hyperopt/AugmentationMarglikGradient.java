package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.hyperopt.augment.InvariantModel;
import io.kronlaplace.laplace.FactorLogDetGradient;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.nn.WeightLayer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The gradient of the K-FAC Laplace log marginal likelihood w.r.t. the augmentation parameters eta of an invariant
 * model (Immer, van der Ouderaa et al. 2022), exactly and without second-order autodiff (see docs/laplace.md, section
 * Hyper-gradients), with the augmentation noise held fixed and the weights and prior precisions fixed:
 * <pre>
 * d log p(D|M) / d eta_k = d log p(D|theta) / d eta_k - 1/2 sum_l ( &lt;dlogdet/dA_l, dA_l/d eta_k&gt;
 *                                                            + &lt;dlogdet/dB_l, dB_l/d eta_k&gt; )
 * </pre>
 * <ul>
 *   <li>log-likelihood term: backprop of the loss to the augmented inputs, then the augmentation's VJP;</li>
 *   <li>A term: one forward-mode pass ({@link Network#jvp}) per eta component gives each layer's input tangent;
 *       with REDUCE, {@code A = 1/N sum_n abar_n abar_n^T} so {@code <G, dA> = 2/N sum_n abar_n^T G d(abar_n)};
 *       with EXPAND the same over every row and position with 1/(N S R);</li>
 *   <li>B term: for networks whose backward pass is linear in the back-propagated vectors with eta-independent masks
 *       (Linear/Conv2d, ReLU, pooling, residual sums; no BatchNorm in training mode), {@code B = sum_n M_n Lambda_n
 *       M_n^T} where M_n maps output-space vectors to the (summed) back-propagated vectors of layer l, so
 *       {@code <G, dB> = sum_n <M_n^T G M_n, dLambda_n>}; M_n comes from one backward pass of the C identity
 *       vectors, {@code dLambda_n} from the output tangent {@code df_n / d eta_k}. For the exact GGN (and, in
 *       expectation, the MC Fisher) {@code Lambda = diag(p) - p p^T}; for the empirical Fisher
 *       {@code Lambda = (p - y)(p - y)^T}.</li>
 * </ul>
 * On a mini-batch of M of the N training examples every sum is scaled by N / M (an unbiased estimate of the
 * full-data gradient at fixed factors).
 */
public final class AugmentationMarglikGradient {
    /** Id of the {@link StepWorkspace} that {@link #compute} runs in. */
    static final String WORKSPACE = "augmentation-gradient";
    /**
     * Augmented rows per chunk by default with REDUCE: with C classes the B term's backward pass carries C times as
     * many rows, so 16 rows give a pass of 160 rows for CIFAR-10, close to a training batch. (On WRN-16-4, S = 4,
     * batch 32: peak about 5 GB; 8 and 32 rows per chunk took the same time.)
     */
    public static final int REDUCE_ROWS_PER_CHUNK = 16;
    /**
     * Augmented rows per chunk by default with EXPAND, whose B term also keeps every position of the C back-propagated
     * vectors: on WRN-16-4 with S = 4 and 8 images, 16 rows per chunk peaked at 16 GB and 4 rows at 5 GB, in the same
     * time.
     */
    public static final int EXPAND_ROWS_PER_CHUNK = 4;
    private final Network network;
    private final Likelihood likelihood;
    private final KfacFlavour flavour;
    private final CurvatureType curvatureType;

    /**
     * @param network       the per-sample network (run on the N*S augmented rows)
     * @param likelihood    must be {@link CrossEntropy}: the loss-Hessian derivative is that of the softmax
     * @param flavour       the K-FAC flavour the factors were fitted with
     * @param curvatureType the curvature type the factors were fitted with
     */
    public AugmentationMarglikGradient(Network network, Likelihood likelihood, KfacFlavour flavour,
                                       CurvatureType curvatureType) {
        this.network = Objects.requireNonNull(network, "network");
        if (!(likelihood instanceof CrossEntropy)) {
            throw new IllegalArgumentException("the augmentation gradient of the marginal likelihood is implemented "
                    + "for classification (CrossEntropy), got " + likelihood.getClass().getSimpleName());
        }
        this.likelihood = likelihood;
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        this.curvatureType = Objects.requireNonNull(curvatureType, "curvatureType");
    }

    /**
     * d log p(D|M) / d eta on one batch, computed in chunks of {@link #REDUCE_ROWS_PER_CHUNK} or
     * {@link #EXPAND_ROWS_PER_CHUNK} augmented rows (see {@link #compute(KronLaplace, PriorPrecision,
     * AffineAugmentation, AugmentationNoise, INDArray, INDArray, long, int)}).
     *
     * @param posterior     the posterior fitted on the augmented training set (its factor sensitivities are used)
     * @param prior         the prior precision to differentiate at (the posterior's own stays unchanged)
     * @param augmentation  the augmentation at the current eta
     * @param noise         the fixed noise of this batch (N examples x S samples)
     * @param images        {@code [M, C, H, W]} original images
     * @param labels        {@code [M]} class indices
     * @param totalExamples N, the training-set size the factors are normalised for (sums are scaled by N / M)
     * @return one value per {@link AffineGenerator}
     */
    public double[] compute(KronLaplace posterior, PriorPrecision prior, AffineAugmentation augmentation,
                            AugmentationNoise noise, INDArray images, INDArray labels, long totalExamples) {
        return compute(posterior, prior, augmentation, noise, images, labels, totalExamples,
                flavour == KfacFlavour.EXPAND ? EXPAND_ROWS_PER_CHUNK : REDUCE_ROWS_PER_CHUNK);
    }

    /**
     * d log p(D|M) / d eta on one batch. Every term is a sum over examples, so the batch is processed in chunks of
     * whole examples: the B term back-propagates C vectors for each augmented row, and memory grows with
     * C x rows x activations (a whole WRN-16-4 batch of 32 x 4 rows needed more than 18 GB). The result does not
     * depend on the chunk size beyond rounding.
     *
     * @param posterior     the posterior fitted on the augmented training set (its factor sensitivities are used)
     * @param prior         the prior precision to differentiate at (the posterior's own stays unchanged)
     * @param augmentation  the augmentation at the current eta
     * @param noise         the fixed noise of this batch (M examples x S samples)
     * @param images        {@code [M, C, H, W]} original images
     * @param labels        M class indices
     * @param totalExamples N &gt;= M, the training-set size the factors are normalised for (sums are scaled by N / M)
     * @param rowsPerChunk  augmented rows (examples x S) per chunk, &gt;= 1; at least one example per chunk
     * @return one value per {@link AffineGenerator}
     * @throws IllegalArgumentException when the noise or labels do not match the M images, N is below M, the chunk
     *                                  size is below 1 or the images are not of rank 4
     * @throws IllegalStateException    when a weight layer of the network has no K-FAC factors in the posterior
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    public double[] compute(KronLaplace posterior, PriorPrecision prior, AffineAugmentation augmentation,
                            AugmentationNoise noise, INDArray images, INDArray labels, long totalExamples,
                            int rowsPerChunk) {
        int m = Math.toIntExact(images.size(0));
        int s = noise.samples();
        if (noise.examples() != m) {
            throw new IllegalArgumentException("noise is for " + noise.examples() + " examples, batch has " + m);
        }
        if (labels.length() != m) {
            throw new IllegalArgumentException("batch has " + m + " images but " + labels.length() + " labels");
        }
        if (totalExamples < m) {
            throw new IllegalArgumentException("training-set size " + totalExamples + " is smaller than the batch " + m);
        }
        if (rowsPerChunk < 1) {
            throw new IllegalArgumentException("rows per chunk must be >= 1, got " + rowsPerChunk);
        }
        if (images.rank() != 4) {
            throw new IllegalArgumentException("learned augmentation needs images [M, C, H, W], got inputs of shape "
                    + java.util.Arrays.toString(images.shape()));
        }
        Map<String, FactorSensitivity> sens = new HashMap<>();
        for (String path : posterior.decompositions().keySet()) {
            FactorLogDetGradient g = posterior.logDetGradient(path, prior, posterior.scale());
            sens.put(path, new FactorSensitivity(g.input(), g.gradient()));
        }
        int examplesPerChunk = Math.max(1, rowsPerChunk / s);
        INDArray labelVector = labels.reshape(m);
        double[] grad = new double[AffineGenerator.COUNT];
        for (int from = 0; from < m; from += examplesPerChunk) {
            int to = Math.min(m, from + examplesPerChunk);
            // every temporary of a chunk lives in one reusable arena: chunks and hyper-steps repeat the same passes
            try (StepWorkspace ignored = StepWorkspace.open(WORKSPACE)) {
                double[] sums = chunkSums(sens, augmentation, noise.examples(from, to),
                        images.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(),
                                NDArrayIndex.all()),
                        labelVector.get(NDArrayIndex.interval(from, to)), totalExamples);
                for (int k = 0; k < grad.length; k++) {
                    grad[k] += (double) totalExamples / m * sums[k];
                }
            }
        }
        return grad;
    }

    /** The chunk's unscaled sum over its examples of d log p(D|M) / d eta (the log-likelihood minus half logdet). */
    private double[] chunkSums(Map<String, FactorSensitivity> sens, AffineAugmentation augmentation,
                               AugmentationNoise noise, INDArray images, INDArray labels, long totalExamples) {
        int m = Math.toIntExact(images.size(0));
        int s = noise.samples();
        INDArray augmented = augmentation.apply(images, noise);
        INDArray logits = network.forward(augmented, Mode.EVAL);
        INDArray f = InvariantModel.average(logits, s);
        long classes = f.size(1);
        double[] grad = new double[AffineGenerator.COUNT];

        // log-likelihood term: reverse mode to the augmented inputs, then through the resampling
        INDArray gradF = likelihood.gradient(f, labels, Reduction.SUM);
        INDArray gradAugmented = network.backward(InvariantModel.spread(gradF, s, 1),
                new BackwardContext(false, 1, null));
        double[] lossGrad = augmentation.vjp(images, noise, gradAugmented, false).eta();
        for (int k = 0; k < grad.length; k++) {
            grad[k] = -lossGrad[k];
        }

        // B term: K_n = sum_l M_n^T G_B M_n from one backward pass of the C identity vectors
        INDArray identity = Nd4j.create(f.dataType(), classes * m, classes);
        for (int c = 0; c < classes; c++) {
            identity.get(NDArrayIndex.interval((long) c * m, (long) (c + 1) * m), NDArrayIndex.point(c)).assign(1.0);
        }
        INDArray[] kn = new INDArray[m];
        for (int n = 0; n < m; n++) {
            kn[n] = Nd4j.zeros(DataType.DOUBLE, classes, classes);
        }
        int copies = Math.toIntExact(classes);
        network.backward(InvariantModel.spread(identity, s, copies), BackwardContext.curvature(copies,
                (layer, input, gradOutput, k) -> addOutputSensitivity(kn, layer, gradOutput, sens, m, s, copies)));

        INDArray p = Transforms.softmax(f.castTo(DataType.DOUBLE), true);
        INDArray residual = curvatureType == CurvatureType.EMPIRICAL_FISHER ? p.sub(oneHot(labels, m, classes)) : null;

        // A term and output tangents: one forward-mode pass per eta component
        Map<String, INDArray> inputWeights = new HashMap<>();
        INDArray[] tangents = augmentation.jvpAll(images, noise);
        for (int k = 0; k < grad.length; k++) {
            double[] aTerm = {0};
            INDArray outTangent = network.jvp(tangents[k], (layer, input, inputTangent) -> aTerm[0] +=
                    inputFactorTerm(layer, input, inputTangent, sens.get(layer.path()), inputWeights, m, s,
                            totalExamples));
            INDArray fDot = InvariantModel.average(outTangent, s).castTo(DataType.DOUBLE);
            double bTerm = 0;
            INDArray pDot = p.mul(fDot.subColumnVector(p.mul(fDot).sum(1).reshape(m, 1)));
            for (int n = 0; n < m; n++) {
                INDArray pd = pDot.getRow(n);
                INDArray kmat = kn[n];
                if (residual == null) {
                    bTerm += Nd4j.diag(kmat).reshape(classes).mul(pd).sumNumber().doubleValue()
                            - 2 * pd.reshape(1, classes).mmul(kmat).mmul(p.getRow(n).reshape(classes, 1)).getDouble(0);
                } else {
                    bTerm += 2 * pd.reshape(1, classes).mmul(kmat).mmul(residual.getRow(n).reshape(classes, 1))
                            .getDouble(0);
                }
            }
            grad[k] -= 0.5 * (aTerm[0] + bTerm);
        }
        return grad;
    }

    /** Adds {@code M_n^T G_B M_n} of one layer to each example's C x C matrix. */
    private void addOutputSensitivity(INDArray[] kn, WeightLayer layer, INDArray gradOutput,
                                      Map<String, FactorSensitivity> sens, int m, int s, int copies) {
        FactorSensitivity fs = sens.get(layer.path());
        if (fs == null) {
            throw new IllegalStateException("no K-FAC factors for layer '" + layer.path() + "'");
        }
        INDArray b;
        if (flavour == KfacFlavour.REDUCE) {
            // REDUCE needs only the sum over the shared axis (samples and positions): sum positions in the layer's
            // own layout and precision, which avoids a channels-last copy of C x rows x positions values
            INDArray summed = layer.outputMatrices(gradOutput).sumOverPositions().castTo(DataType.DOUBLE);
            long width = summed.size(1);
            b = summed.reshape('c', copies, m, s, width).sum(2).reshape('c', copies, m, 1, width);
        } else {
            // [copies*m*s, R, D] -> [copies, m, s*R, D]
            INDArray rows = layer.outputMatrices(gradOutput).positionsLast().castTo(DataType.DOUBLE);
            b = rows.reshape('c', copies, m, (long) s * rows.size(1), rows.size(2));
        }
        long dout = b.size(3);
        long q = b.size(2);
        INDArray weighted = fs.timesGradientFactor(b.reshape('c', copies * m * q, dout))
                .reshape('c', copies, m, q, dout);
        for (int n = 0; n < m; n++) {
            INDArray bn = b.get(NDArrayIndex.all(), NDArrayIndex.point(n)).reshape('c', copies, q * dout);
            INDArray wn = weighted.get(NDArrayIndex.all(), NDArrayIndex.point(n)).reshape('c', copies, q * dout);
            kn[n].addi(wn.mmul(bn.transpose()));
        }
    }

    /**
     * The A-term contribution {@code <G_A, dA>} of one layer for one input tangent, for the batch's share of A, with
     * {@code <G_A, dA> = 2/count sum_rows (G_A a)^T da}. The rows' weights {@code G_A a} are formed once per layer and
     * reused for every tangent: REDUCE keeps the per-example mean rows; EXPAND folds the weights of every sample and
     * position back into input space ({@link WeightLayer#inputPositionsAdjoint}), so that each tangent costs one inner
     * product with the layer input instead of an unfolding of its own.
     */
    private double inputFactorTerm(WeightLayer layer, INDArray input, INDArray inputTangent, FactorSensitivity fs,
                                   Map<String, INDArray> weights, int m, int s, long totalExamples) {
        if (fs == null) {
            throw new IllegalStateException("no K-FAC factors for layer '" + layer.path() + "'");
        }
        if (flavour == KfacFlavour.REDUCE) {
            INDArray weighted = weights.computeIfAbsent(layer.path(),
                    path -> fs.timesInputFactor(meanRows(layer, input, m, s)));
            // A is normalised by the number of examples
            return 2.0 / totalExamples * weighted.mul(meanRows(layer, inputTangent, m, s)).sumNumber().doubleValue();
        }
        INDArray folded = weights.computeIfAbsent(layer.path(), path -> foldedWeights(layer, input, fs));
        // A is normalised by the number of example-sample-positions
        double count = (double) totalExamples * s * layer.positions(input);
        return 2.0 / count * folded.mul(inputTangent.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    /** REDUCE's rows of A: the per-example mean over samples and positions, {@code [m, Din]}, float64. */
    private static INDArray meanRows(WeightLayer layer, INDArray x, int m, int s) {
        // the layer's mean input is linear in x, so it is also right for tangents
        INDArray perRow = layer.meanInput(x).castTo(DataType.DOUBLE);
        return perRow.reshape('c', m, s, perRow.size(1)).mean(1);
    }

    /** EXPAND: {@code G_A a} for every sample and position, folded back into the shape of the layer input, float64. */
    private static INDArray foldedWeights(WeightLayer layer, INDArray x, FactorSensitivity fs) {
        INDArray positions = layer.inputPositions(x).castTo(DataType.DOUBLE);
        long rows = positions.size(0) * positions.size(1);
        INDArray weighted = fs.timesInputFactor(positions.reshape('c', rows, positions.size(2)))
                .reshape('c', positions.size(0), positions.size(1), positions.size(2));
        return layer.inputPositionsAdjoint(weighted, x.shape());
    }

    private static INDArray oneHot(INDArray labels, int m, long classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, m, classes);
        long[] idx = labels.castTo(DataType.INT64).toLongVector();
        for (int n = 0; n < m; n++) {
            y.putScalar(n, idx[n], 1.0);
        }
        return y;
    }
}
