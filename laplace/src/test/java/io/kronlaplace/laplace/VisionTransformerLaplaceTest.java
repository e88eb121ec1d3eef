package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.laplace.tuning.TuningResult;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.models.VisionTransformer;
import io.kronlaplace.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * KRON Laplace posteriors on a tiny, briefly trained vision transformer (float64): over the head and over all weight
 * layers, with K-FAC-expand and -reduce, they cover exactly the Kronecker-factored weights (LayerNorm, class token
 * and positional embedding stay at their MAP values) and tuning the prior precision by the marginal likelihood raises
 * the log marginal likelihood.
 */
class VisionTransformerLaplaceTest {
    private static final int N = 24;
    /** A prior precision far stronger than the data support, so that tuning has to move it. */
    private static final double START_PRIOR = 1e3;

    private static Network trainedVit(INDArray x, INDArray y) {
        Network net = VisionTransformer.builder().imageSize(4).inputChannels(1).patchSize(2).width(4).depth(1)
                .heads(2).mlpRatio(2).classes(2).seed(9).dataType(DataType.DOUBLE).build();
        Adam adam = Adam.builder().learningRate(0.01).build();
        CrossEntropy ce = new CrossEntropy();
        for (int step = 0; step < 30; step++) {
            net.zeroGrad();
            INDArray logits = net.forward(x, Mode.TRAIN);
            net.backward(ce.gradient(logits, y, Reduction.MEAN), BackwardContext.training());
            adam.step(net);
        }
        return net;
    }

    @Test
    void kronPosteriorsCoverTheFactoredWeightsAndTheTunedPriorRaisesTheMarginalLikelihood() {
        INDArray x = Fixtures.gaussian(31, N, 1, 4, 4);
        // the label is whether the left half of the image is brighter than the right half
        INDArray left = x.get(all(), all(), all(), interval(0, 2)).sum(1, 2, 3);
        INDArray right = x.get(all(), all(), all(), interval(2, 4)).sum(1, 2, 3);
        INDArray y = left.gt(right).castTo(DataType.DOUBLE);
        Network net = trainedVit(x, y);
        INDArray mapValues = net.flatParameters().dup();
        for (SubsetOfWeights subset : List.of(SubsetOfWeights.ALL, SubsetOfWeights.LAST_LAYER)) {
            for (KfacFlavour flavour : KfacFlavour.values()) {
                String what = subset + " " + flavour;
                LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(subset)
                        .structure(HessianStructure.KRON).likelihood(LikelihoodType.CLASSIFICATION).flavour(flavour)
                        .prior(PriorPrecision.scalar(START_PRIOR)).build());
                post.fit(Fixtures.batches(x, y, 8));
                assertEquals(expectedGroups(net, subset), post.groupNames(), what);
                long covered = post.groupNames().stream().mapToLong(n -> net.parameter(n).size()).sum();
                assertEquals(covered, post.dim(), what);
                double before = post.logMarginalLikelihood();
                TuningResult r = new MarginalLikelihoodTuner(200, 0.1, false).tune(post);
                double after = post.logMarginalLikelihood();
                assertTrue(after > before + 1, what + ": log marginal likelihood " + before + " -> " + after);
                assertEquals(r.objective(), after, 1e-9 * Math.abs(after), what);
                assertTrue(Double.isFinite(post.functionalPrediction(x).variance().sumNumber().doubleValue()), what);
                assertEquals(0, net.flatParameters().sub(mapValues).norm2Number().doubleValue(), 0.0,
                        what + ": fitting and tuning leave every parameter at its MAP value");
            }
        }
    }

    /** The posterior's groups: each weight layer's weight and bias (all layers or the head), nothing else. */
    private static List<String> expectedGroups(Network net, SubsetOfWeights subset) {
        List<String> out = new ArrayList<>();
        List<WeightLayer> layers = subset == SubsetOfWeights.ALL ? net.weightLayers()
                : List.of(net.weightLayers().get(net.weightLayers().size() - 1));
        for (WeightLayer layer : layers) {
            out.add(layer.path() + ".weight");
            if (layer.bias() != null) {
                out.add(layer.path() + ".bias");
            }
        }
        for (Parameter.Kind unfactored : List.of(Parameter.Kind.NORM_SCALE, Parameter.Kind.NORM_SHIFT,
                Parameter.Kind.EMBEDDING)) {
            assertTrue(net.parameters().entrySet().stream().filter(e -> e.getValue().kind() == unfactored)
                    .noneMatch(e -> out.contains(e.getKey())));
        }
        return out;
    }
}
