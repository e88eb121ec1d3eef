package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.SamplingPredictive;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bad input gives exceptions that name the problem; refits accumulate or replace as asked. */
class ValidationTest {

    private static void assertMessage(Class<? extends Throwable> type, Executable e, String... fragments) {
        Throwable t = assertThrows(type, e);
        for (String f : fragments) {
            assertTrue(t.getMessage().contains(f), "message '" + t.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void badDataIsRejectedWithClearMessages() {
        LaplacePosterior post = Laplace.create(Fixtures.mlp(3, 1), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build());
        INDArray x = Fixtures.inputs(4, 1);
        INDArray nan = x.dup();
        nan.putScalar(1, 2, Double.NaN);
        assertMessage(IllegalArgumentException.class,
                () -> post.fit(List.of(new Batch(nan, Fixtures.classes(4, 3, 1))).iterator()), "NaN");
        assertMessage(IllegalArgumentException.class,
                () -> post.fit(List.of(new Batch(x, Fixtures.classes(5, 3, 1))).iterator()), "5");
        INDArray badClass = Fixtures.classes(4, 3, 1);
        badClass.putScalar(2, 7);
        assertMessage(IllegalArgumentException.class,
                () -> post.fit(List.of(new Batch(x, badClass)).iterator()), "7");
        assertMessage(IllegalArgumentException.class,
                () -> post.fit(List.of(new Batch(Fixtures.gaussian(1, 4, 5), Fixtures.classes(4, 3, 1))).iterator()),
                "features");
        assertMessage(IllegalArgumentException.class, () -> post.fit(Collections.emptyIterator()), "mini-batch");
        LaplacePosterior reg = Laplace.create(Fixtures.mlp(2, 1),
                LaplaceOptions.builder().subset(SubsetOfWeights.ALL).likelihood(LikelihoodType.REGRESSION).build());
        INDArray y = Fixtures.gaussian(2, 4, 2);
        y.putScalar(0, 1, Double.POSITIVE_INFINITY);
        assertMessage(IllegalArgumentException.class, () -> reg.fit(List.of(new Batch(x, y)).iterator()),
                "regression targets");
        assertMessage(IllegalArgumentException.class,
                () -> reg.fit(List.of(new Batch(x, Fixtures.gaussian(2, 4, 3))).iterator()), "shape");
    }

    @Test
    void nonPositiveHyperparametersAreRejected() {
        for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertMessage(IllegalArgumentException.class, () -> PriorPrecision.scalar(bad), "prior precision");
            assertMessage(IllegalArgumentException.class, () -> PriorPrecision.perGroup(1.0, bad), "index 1");
            assertMessage(IllegalArgumentException.class,
                    () -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).temperature(bad).build(), "temperature");
            assertMessage(IllegalArgumentException.class, () -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL)
                    .likelihood(LikelihoodType.REGRESSION).sigma(bad).build(), "sigma");
        }
        assertMessage(IllegalArgumentException.class, () -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).sigma(2.0).build(),
                "classification");
        LaplacePosterior post = Laplace.create(Fixtures.mlp(3, 1), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build());
        assertMessage(IllegalArgumentException.class, () -> post.setTemperature(0), "temperature");
        assertMessage(IllegalArgumentException.class, () -> post.setPriorPrecision(PriorPrecision.perGroup(1, 2)),
                "4 values");
    }

    @Test
    void unsupportedCombinationsFailAtConstructionNamingTheSupportedOnes() {
        double[] perParameter = new double[31];
        java.util.Arrays.fill(perParameter, 1.0);
        assertMessage(IllegalArgumentException.class, () -> Laplace.create(Fixtures.mlp(3, 1),
                LaplaceOptions.builder().subset(SubsetOfWeights.ALL).prior(PriorPrecision.perParameter(perParameter)).build()),
                "SCALAR and PER_GROUP", "DIAG or FULL");
        Init init = new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network big = new Network(new Sequential(new Linear(100, 60, true, init)));
        assertMessage(IllegalArgumentException.class, () -> Laplace.create(big,
                LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.FULL).build()),
                String.valueOf(FullLaplace.MAX_PARAMETERS), "KRON or DIAG", "LAST_LAYER");
        Network endsInRelu = new Network(new Sequential(new Linear(3, 4, true, init), new ReLU()));
        assertMessage(IllegalArgumentException.class, () -> Laplace.create(endsInRelu,
                LaplaceOptions.builder().subset(SubsetOfWeights.LAST_LAYER).build()), "Linear", "ReLU");
        // every supported combination constructs
        for (HessianStructure h : HessianStructure.values()) {
            for (SubsetOfWeights s : SubsetOfWeights.values()) {
                if (Fixtures.supported(h, s)) {
                    assertEquals(h, Laplace.create(Fixtures.mlp(3, 1), Fixtures.options(h, s).build()).structure());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HessianStructure.class)
    void predictingBeforeFitFails(HessianStructure h) {
        LaplacePosterior post = Laplace.create(Fixtures.mlp(3, 1), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h).build());
        INDArray x = Fixtures.inputs(2, 1);
        assertMessage(IllegalStateException.class, () -> new GlmPredictive(post).probit(x), "fit");
        assertMessage(IllegalStateException.class, () -> new SamplingPredictive(post).classify(x, 3, 1), "fit");
        assertMessage(IllegalStateException.class, post::marginalLikelihood, "fit");
        assertMessage(IllegalStateException.class, () -> post.sampleWeights(2, 1), "fit");
        assertMessage(IllegalStateException.class, () -> new GlmPredictive(post).regress(x), "REGRESSION");
    }

    @ParameterizedTest
    @EnumSource(HessianStructure.class)
    void accumulatingTwoHalvesEqualsOneFitAndReplaceForgets(HessianStructure h) {
        INDArray x = Fixtures.inputs(8, 4);
        INDArray y = Fixtures.classes(8, 3, 4);
        LaplaceOptions o = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h).build();
        LaplacePosterior whole = Laplace.create(Fixtures.mlp(3, 6), o);
        whole.fit(Fixtures.batches(x, y, 8));
        LaplacePosterior halves = Laplace.create(Fixtures.mlp(3, 6), o);
        halves.fit(Fixtures.batches(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)),
                y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)), 4));
        double firstHalf = halves.logMarginalLikelihood();
        halves.fit(Fixtures.batches(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 8)),
                y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 8)), 4), FitMode.ACCUMULATE);
        assertEquals(8, halves.examples());
        assertEquals(whole.logMarginalLikelihood(), halves.logMarginalLikelihood(),
                1e-9 * Math.abs(whole.logMarginalLikelihood()));
        halves.fit(Fixtures.batches(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)),
                y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)), 4), FitMode.REPLACE);
        assertEquals(4, halves.examples());
        assertEquals(firstHalf, halves.logMarginalLikelihood(), 1e-9 * Math.abs(firstHalf));
        // accumulating at other weights is refused
        halves.network().parameter("0.weight").value().addi(0.1);
        assertMessage(IllegalStateException.class, () -> halves.fit(Fixtures.batches(x, y, 8), FitMode.ACCUMULATE),
                "changed");
        assertMessage(IllegalStateException.class, () -> halves.functionalPrediction(x), "refit");
    }
}
