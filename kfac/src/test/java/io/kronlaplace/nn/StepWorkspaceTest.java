package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.models.WideResNet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class StepWorkspaceTest {
    private static Network network() {
        return WideResNet.builder().depth(10).widen(1).classes(3).seed(11).dataType(DataType.DOUBLE).build();
    }

    @Test
    void stepsInsideTheWorkspaceGiveTheSameGradientsAndStateAsWithout() {
        INDArray x = GradientCheck.random(1, 2, 3, 8, 8);
        INDArray g = GradientCheck.random(2, 2, 3);
        Network plain = network();
        plain.zeroGrad();
        plain.forward(x, Mode.TRAIN);
        plain.backward(g, BackwardContext.training());
        INDArray expected = plain.flatGradients();

        Network pooled = network();
        for (int step = 0; step < 3; step++) {
            pooled.zeroGrad();
            try (StepWorkspace ws = StepWorkspace.open("test")) {
                pooled.forward(x, Mode.TRAIN);
                pooled.backward(g, BackwardContext.training());
            }
            assertEquals(expected, pooled.flatGradients(), "step " + step);
        }
        for (Parameter p : pooled.parameters().values()) {
            assertFalse(p.value().isAttached() || p.grad().isAttached(), "parameters live outside the workspace");
        }
        for (INDArray buffer : pooled.buffers().values()) {
            assertFalse(buffer.isAttached(), "running statistics live outside the workspace");
        }
    }

    @Test
    void releaseFreesTheWorkspaceAndRefusesAnOpenOne() {
        String name = "kronlaplace-release-test";
        try (StepWorkspace ws = StepWorkspace.open("release-test")) {
            org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1000).addi(1);
            assertThrows(IllegalStateException.class, () -> StepWorkspace.release("release-test"));
        }
        assertTrue(org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().checkIfWorkspaceExists(name));
        StepWorkspace.release("release-test");
        assertFalse(org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().checkIfWorkspaceExists(name));
        StepWorkspace.release("release-test");
        try (StepWorkspace ws = StepWorkspace.open("release-test")) {
            assertEquals(1000.0, org.nd4j.linalg.factory.Nd4j.ones(1000).sumNumber().doubleValue(), 0.0);
        }
    }

    @Test
    void rejectsBlankIds() {
        assertThrows(IllegalArgumentException.class, () -> StepWorkspace.open(" "));
    }
}
