package io.kronlaplace.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Restoring a snapshot into a fresh optimiser continues the run bit for bit. */
class OptimizerSnapshotTest {

    private static INDArray gradient(int step) {
        return Nd4j.createFromArray(Math.sin(step), Math.cos(3.0 * step), 0.5 - step % 3);
    }

    private static void check(Supplier<Optimizer> factory) {
        Optimizer straight = factory.get();
        INDArray a = Nd4j.createFromArray(1.0, -2.0, 0.25);
        for (int t = 0; t < 6; t++) {
            straight.step(List.of(a), List.of(gradient(t)));
        }
        Optimizer first = factory.get();
        INDArray b = Nd4j.createFromArray(1.0, -2.0, 0.25);
        for (int t = 0; t < 3; t++) {
            first.step(List.of(b), List.of(gradient(t)));
        }
        OptimizerSnapshot saved = first.snapshot();
        first.step(List.of(b.dup()), List.of(gradient(99)));
        Optimizer resumed = factory.get();
        resumed.restore(saved);
        assertEquals(3, resumed.steps());
        for (int t = 3; t < 6; t++) {
            resumed.step(List.of(b), List.of(gradient(t)));
        }
        assertEquals(a, b);
    }

    @Test
    void sgdWithMomentumAndSchedule() {
        check(() -> Sgd.builder().schedule(new CosineSchedule(0.1, 6)).momentum(0.9).weightDecay(1e-3).build());
    }

    @Test
    void adam() {
        check(() -> Adam.builder().learningRate(0.05).build());
    }
}
