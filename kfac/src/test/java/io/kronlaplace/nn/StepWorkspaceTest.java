package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void rejectsBlankIds() {
        assertThrows(IllegalArgumentException.class, () -> StepWorkspace.open(" "));
    }
}
