package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ResidualTest {
    private static Init init(long seed) {
        return new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
    }

    private static Residual identityBlock() {
        Init init = init(1);
        return new Residual(new Sequential(new Conv2d(2, 2, 3, 1, 1, true, init), new Tanh(),
                new Conv2d(2, 2, 3, 1, 1, false, init)));
    }

    private static Residual projectionBlock() {
        Init init = init(2);
        return new Residual(new Sequential(new Conv2d(2, 3, 3, 2, 1, false, init), new ReLU(),
                new Conv2d(3, 3, 3, 1, 1, true, init)), new Conv2d(2, 3, 1, 2, 0, false, init));
    }

    @Test
    void outputIsMainPlusShortcut() {
        Residual block = projectionBlock();
        INDArray x = GradientCheck.random(3, 2, 2, 6, 6);
        INDArray expected = block.main().forward(x, Mode.EVAL).add(block.shortcut().forward(x, Mode.EVAL));
        assertTrue(GradientCheck.relativeError(block.forward(x, Mode.EVAL), expected) < 1e-15);
        Residual identity = identityBlock();
        INDArray y = identity.forward(x, Mode.EVAL);
        assertTrue(GradientCheck.relativeError(y, identity.main().forward(x, Mode.EVAL).add(x)) < 1e-15);
        assertEquals(4, new Network(block).parameters().size());
        assertTrue(new Network(block).parameters().containsKey("shortcut.weight"));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.check(identityBlock(), GradientCheck.random(4, 2, 2, 4, 4), Mode.TRAIN, 1e-6);
        GradientCheck.check(projectionBlock(), GradientCheck.random(5, 2, 2, 5, 5), Mode.TRAIN, 1e-6);
    }

    @Test
    void copiesAndFloat32() {
        GradientCheck.checkCopies(projectionBlock(), GradientCheck.random(6, 2, 2, 6, 6), Mode.TRAIN, 3, 1e-12);
        GradientCheck.checkCopies(identityBlock(), GradientCheck.random(7, 2, 2, 4, 4), Mode.TRAIN, 2, 1e-12);
        GradientCheck.checkFloat32Agrees(projectionBlock(), GradientCheck.random(8, 2, 2, 6, 6), Mode.TRAIN);
    }

    @Test
    void mismatchedBranchesAreRejected() {
        Residual bad = new Residual(new Conv2d(2, 3, 3, 1, 1, false, init(9)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bad.forward(GradientCheck.random(9, 1, 2, 4, 4), Mode.EVAL));
        assertTrue(e.getMessage().contains("identity"), e.getMessage());
    }
}
