package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.StepWorkspace;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Probabilities predicted inside a workspace outlive it once detached. */
class MethodProbabilitiesTest {
    private static final String WORKSPACE = "method-probabilities-test";

    @Test
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    void detachedProbabilitiesKeepTheirValuesAfterTheWorkspaceIsReused() {
        MethodProbabilities detached;
        try (StepWorkspace ignored = StepWorkspace.open(WORKSPACE)) {
            MethodProbabilities inside = new MethodProbabilities(Nd4j.createFromArray(new double[][] {{0.25, 0.75}}),
                    Map.of(LinkApproximation.MC, Nd4j.createFromArray(new double[][] {{0.4, 0.6}})),
                    Nd4j.createFromArray(new double[][] {{0.1, 0.9}}));
            detached = inside.detached();
        }
        // the arena's next use overwrites the memory of everything that was allocated in it
        try (StepWorkspace ignored = StepWorkspace.open(WORKSPACE)) {
            Nd4j.valueArrayOf(new long[] {3, 2}, -1.0);
        }
        StepWorkspace.release(WORKSPACE);
        for (INDArray a : new INDArray[] {detached.map(), detached.laplace(LinkApproximation.MC),
                detached.plainMap()}) {
            assertFalse(a.isAttached(), "still in the workspace");
        }
        assertArrayEquals(new double[] {0.25, 0.75}, detached.map().toDoubleVector(), 0);
        assertArrayEquals(new double[] {0.4, 0.6}, detached.laplace(LinkApproximation.MC).toDoubleVector(), 0);
        assertArrayEquals(new double[] {0.1, 0.9}, detached.plainMap().toDoubleVector(), 0);
    }
}
