package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.ClassToken;
import io.kronlaplace.nn.GradientCheck;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.PatchEmbedding;
import io.kronlaplace.nn.PositionalEmbedding;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.models.VisionTransformer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * K-FAC on vision transformers (float64): both flavours run on a full ViT with the tokens as positions and give the
 * factors written out from each layer's inputs, and on a ViT without attention and nonlinearities (a deep linear
 * token-wise stack behind the patch embedding, class token and positional embedding) each flavour is exact in its own
 * setting against the dense GGN from finite-difference Jacobians.
 */
class VisionTransformerKfacTest {

    private static Network tinyVit(long seed) {
        return VisionTransformer.builder().imageSize(4).inputChannels(2).patchSize(2).width(4).depth(1).heads(2)
                .mlpRatio(2).classes(3).seed(seed).dataType(DataType.DOUBLE).build();
    }

    /**
     * On a full ViT the A factor of every layer is, for EXPAND, the mean of {@code a a^T} over examples and tokens
     * (patches for the patch projection), and for REDUCE the mean over examples of {@code abar abar^T} with abar the
     * example's mean token; the inputs are read through a tap of an independent backward pass.
     */
    @Test
    void bothFlavoursRunOnAVitWithTokensAsPositions() {
        Network net = tinyVit(3);
        INDArray x = GradientCheck.random(4, 3, 2, 4, 4);
        Map<String, INDArray> inputs = new HashMap<>();
        net.forward(x, Mode.EVAL);
        net.backward(Nd4j.zeros(DataType.DOUBLE, 3, 3),
                new BackwardContext(false, 1, (layer, input, g, copies) -> inputs.put(layer.path(), input.dup())));
        assertEquals(net.weightLayers().size(), inputs.size(), "the tap sees every weight layer");
        for (KfacFlavour flavour : KfacFlavour.values()) {
            KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(),
                    KfacOptions.builder().flavour(flavour).build());
            estimator.accumulate(x, null);
            Map<String, KronFactors> factors = estimator.factors();
            assertEquals(net.weightLayers().size(), factors.size());
            for (WeightLayer layer : net.weightLayers()) {
                INDArray positions = layer.inputPositions(inputs.get(layer.path()));
                long expectedPositions = layer.path().equals("patch.proj") ? 4 : layer.path().equals("head") ? 1 : 5;
                assertEquals(expectedPositions, positions.size(1), layer.path() + " positions");
                INDArray expected = flavour == KfacFlavour.EXPAND ? meanOuter(positions)
                        : meanOuter(positions.mean(1).reshape(positions.size(0), 1, positions.size(2)));
                KronFactors f = factors.get(layer.path());
                assertTrue(relativeError(f.a(), expected) < 1e-12, flavour + " A of " + layer.path());
                assertEquals(layer.outFeatures(), f.b().size(0));
                f.requireNonNegativeDiagonal();
            }
        }
    }

    /** The mean over rows and positions of a a^T, written out entry by entry. */
    private static INDArray meanOuter(INDArray positions) {
        long d = positions.size(2);
        long count = positions.size(0) * positions.size(1);
        INDArray out = Nd4j.zeros(DataType.DOUBLE, d, d);
        for (long n = 0; n < positions.size(0); n++) {
            for (long r = 0; r < positions.size(1); r++) {
                for (long i = 0; i < d; i++) {
                    for (long j = 0; j < d; j++) {
                        out.putScalar(i, j, out.getDouble(i, j)
                                + positions.getDouble(n, r, i) * positions.getDouble(n, r, j) / count);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Patch embedding, class token and positional embedding followed by token-wise Linear layers (a ViT with the
     * attention, norms and nonlinearities removed): EXPAND is exact in every weight layer with MSE on every output
     * token, REDUCE with MSE on the mean token; each is measurably wrong in the other's setting.
     */
    @Test
    void eachFlavourIsExactOnADeepLinearVitInItsSetting() {
        for (boolean pooled : new boolean[] {false, true}) {
            Init init = new Init(21, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
            Sequential stack = new Sequential().add("patch", new PatchEmbedding(2, 3, 2, init))
                    .add("cls", new ClassToken(3, init)).add("pos", new PositionalEmbedding(5, 3, init))
                    .add("fc1", new Linear(3, 4, true, init)).add("fc2", new Linear(4, 2, true, init))
                    .add("out", pooled ? new TestModules.MeanPool(true) : new TestModules.FlattenAll());
            Network net = new Network(stack);
            for (WeightLayer layer : net.weightLayers()) {
                layer.bias().value().assign(GradientCheck.random(22, layer.bias().value().shape()));
            }
            INDArray x = GradientCheck.random(23, 3, 2, 4, 4);
            INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
            KfacFlavour exact = pooled ? KfacFlavour.REDUCE : KfacFlavour.EXPAND;
            KfacFlavour other = pooled ? KfacFlavour.EXPAND : KfacFlavour.REDUCE;
            Map<String, KronFactors> good = factors(net, x, exact);
            Map<String, KronFactors> bad = factors(net, x, other);
            for (WeightLayer layer : net.weightLayers()) {
                double e = weightError(net, good, ggn, layer);
                assertTrue(e < 1e-7, exact + " on layer " + layer.path() + ": " + e);
                double o = weightError(net, bad, ggn, layer);
                assertTrue(o > 1e-2, other + " must not be exact in this setting, layer " + layer.path() + ": " + o);
            }
            assertEquals(List.of("cls.token", "pos.embedding"), KronCurvature.excludedParameters(net),
                    "the embeddings are not Kronecker-factored");
        }
    }

    private static Map<String, KronFactors> factors(Network net, INDArray x, KfacFlavour flavour) {
        KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0), KfacOptions.builder().flavour(flavour).build());
        est.accumulate(x, null);
        return est.factors();
    }

    private static double weightError(Network net, Map<String, KronFactors> factors, INDArray ggn,
                                      WeightLayer layer) {
        KronFactors f = factors.get(layer.path());
        double worst = relativeError(DenseReference.kron(f.b(), f.a()),
                DenseReference.block(net, ggn, layer.path() + ".weight"));
        for (CurvatureBlock block : KronCurvature.blocks(net, factors)) {
            if (block.name().startsWith(layer.path() + ".")) {
                worst = Math.max(worst, relativeError(block.dense(), DenseReference.block(net, ggn, block.name())));
            }
        }
        return worst;
    }

    /** LayerNorm scales and shifts, the class token and the positional embedding are left out of the factors. */
    @Test
    void unfactoredParametersOfAVitAreNamed() {
        Network net = tinyVit(5);
        List<String> excluded = KronCurvature.excludedParameters(net);
        for (String name : net.parameters().keySet()) {
            boolean unfactored = name.contains("norm.") || name.startsWith("cls.") || name.startsWith("pos.");
            assertEquals(unfactored, excluded.contains(name), name);
        }
        assertTrue(excluded.containsAll(List.of("cls.token", "pos.embedding", "norm.weight", "norm.bias",
                "block1.attn.main.norm.weight", "block1.mlp.main.norm.bias")), excluded.toString());
    }

    /** The attention projections are Linear layers over the tokens of a batch (so their positions are tokens). */
    @Test
    void attentionProjectionsAreTokenWiseWeightLayers() {
        Network net = tinyVit(6);
        List<String> paths = net.weightLayers().stream().map(WeightLayer::path).toList();
        assertEquals(List.of("patch.proj", "block1.attn.main.attention.query", "block1.attn.main.attention.key",
                "block1.attn.main.attention.value", "block1.attn.main.attention.output", "block1.mlp.main.fc1",
                "block1.mlp.main.fc2", "head"), paths);
        assertTrue(net.finalLinear().isPresent(), "the head is what a last-layer posterior covers");
        assertTrue(net.weightLayers().stream().allMatch(l -> l instanceof Module));
    }
}
