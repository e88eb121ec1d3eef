package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.PositionMatrices;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Slices keep a convolution's stacks in its own orientation and give the common positions-last layout on demand;
 * stacks that do not belong together are refused.
 */
class LayerSlicesTest {

    @Test
    void aConvolutionsSlicesKeepItsOrientationAndTheirPositionsLastViewsAreTheLayersPositions() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, true, new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL));
        INDArray x = Fixtures.gaussian(5, 4, 2, 5, 5);
        INDArray vectors = Fixtures.gaussian(6, 2 * 4, 3, 5, 5);
        LayerSlices slices = LayerSlices.of(conv, x, vectors, 2);
        assertEquals(PositionMatrices.Orientation.FEATURES_BY_POSITIONS, slices.inputMatrices().orientation());
        assertEquals(PositionMatrices.Orientation.FEATURES_BY_POSITIONS, slices.gradientMatrices().orientation());
        assertEquals(4, slices.examples());
        assertEquals(2, slices.copies());
        assertEquals(0, relativeError(slices.inputs(), conv.inputPositions(x)));
        assertEquals(0, relativeError(slices.gradients(), conv.outputMatrices(vectors).positionsLast()));
        assertSame(slices.inputs(), slices.inputs(), "the positions-last copy is made once");
        // the bias Jacobians sum the native stack over its positions, as they sum the positions-last one
        assertTrue(relativeError(slices.biasJacobians(), slices.gradients().sum(1)) < 1e-14);
    }

    @Test
    void stacksThatDoNotBelongTogetherAreRefused() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, true, new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL));
        INDArray x = Fixtures.gaussian(5, 4, 2, 5, 5);
        PositionMatrices inputs = conv.inputMatrices(x);
        PositionMatrices threeVectors = conv.outputMatrices(Fixtures.gaussian(6, 3, 3, 5, 5));
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new LayerSlices(inputs, threeVectors, 1));
        assertTrue(rows.getMessage().contains("4 examples"), rows.getMessage());
        PositionMatrices otherPositions = conv.outputMatrices(Fixtures.gaussian(6, 4, 3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> new LayerSlices(inputs, otherPositions, 1));
        assertThrows(IllegalArgumentException.class, () -> new LayerSlices(inputs,
                conv.outputMatrices(Fixtures.gaussian(6, 4, 3, 5, 5)), 0));
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        return actual.sub(expected).norm2Number().doubleValue() / Math.max(1e-300, expected.norm2Number().doubleValue());
    }
}
