package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Dropout;
import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.MaxPool2d;
import io.kronlaplace.nn.Module;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Posteriors on a CNN with {@link MaxPool2d} and {@link Dropout}: the weightless layers get no block, max pooling
 * routes the curvature pass's back-propagated vectors through the forward pass's choices, and dropout is inactive in
 * the evaluation-mode passes of fitting and prediction (float64).
 */
class PoolingDropoutLaplaceTest {
    private static final int N = 4;
    private static final int C = 3;

    private static Network cnn(boolean dropout) {
        Init init = new Init(5, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        List<Module> layers = new ArrayList<>(List.of(new Conv2d(2, 3, 3, 1, 1, true, init), new ReLU(),
                new MaxPool2d(2, 2)));
        if (dropout) {
            layers.add(new Dropout(0.5, 9));
        }
        layers.add(new Flatten());
        layers.add(new Linear(3 * 2 * 2, C, true, init));
        return new Network(new Sequential(layers.toArray(new Module[0])));
    }

    @Test
    void fullGgnEqualsFiniteDifferenceGgnThroughMaxPoolingAndDropout() {
        Network net = cnn(true);
        INDArray x = Fixtures.gaussian(3, N, 2, 4, 4);
        INDArray y = Fixtures.classes(N, C, 2);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.FULL)
                .build());
        post.fit(Fixtures.batches(x, y, 2));
        double[][] want = Fixtures.ggn(Fixtures.jacobians(net, SubsetOfWeights.ALL, x),
                Fixtures.outputHessians(net, x, LikelihoodType.CLASSIFICATION, y));
        double[][] got = Fixtures.toArray(((FullLaplace) post).hessian());
        assertTrue(Fixtures.maxAbsDiff(got, want) < 1e-7 * Math.max(1, Fixtures.maxAbs(want)),
                "max difference " + Fixtures.maxAbsDiff(got, want));
    }

    @Test
    void dropoutChangesNeitherTheKronFitNorThePredictive() {
        INDArray x = Fixtures.gaussian(3, N, 2, 4, 4);
        INDArray y = Fixtures.classes(N, C, 2);
        List<LaplacePosterior> posts = new ArrayList<>();
        for (boolean dropout : new boolean[] {false, true}) {
            LaplacePosterior post = Laplace.create(cnn(dropout), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build());
            post.fit(Fixtures.batches(x, y, 2));
            posts.add(post);
        }
        List<CurvatureBlock> plain = ((KronLaplace) posts.get(0)).blocks();
        List<CurvatureBlock> withDropout = ((KronLaplace) posts.get(1)).blocks();
        assertEquals(plain.size(), withDropout.size());
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(plain.get(i).dense(), withDropout.get(i).dense(), "block " + i);
        }
        assertEquals(posts.get(0).logMarginalLikelihood(), posts.get(1).logMarginalLikelihood(), 0);
        INDArray xs = Fixtures.gaussian(8, 2, 2, 4, 4);
        assertEquals(posts.get(0).functionalPrediction(xs).covariance(),
                posts.get(1).functionalPrediction(xs).covariance());
    }
}
