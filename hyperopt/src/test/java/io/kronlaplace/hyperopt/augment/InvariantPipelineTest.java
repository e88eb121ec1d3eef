package io.kronlaplace.hyperopt.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradient path a trainer uses: augment, run the invariant model, back-propagate to the augmented batch, then
 * through the augmentation to eta; checked against central finite differences of the whole pipeline in eta.
 */
class InvariantPipelineTest {
    private static final int N = 2;
    private static final int S = 3;
    private static final int C = 2;
    private static final int H = 4;
    private static final int W = 5;
    private static final int CLASSES = 3;
    private static final double[] ETA = {0.2, 0.1, -0.4, 0.15, 0.1, -0.2};

    private static INDArray random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static double objective(InvariantModel model, AffineAugmentation aug, INDArray x,
                                    AugmentationNoise noise, INDArray v) {
        INDArray augmented = aug.apply(x, noise);
        INDArray mean = model.forward(augmented.reshape(N * S, C * H * W), Mode.EVAL);
        return mean.mul(v).sumNumber().doubleValue();
    }

    @Test
    void etaGradientThroughInvariantModelMatchesFiniteDifferences() {
        Init init = new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network net = new Network(new Sequential(new Linear(C * H * W, 6, true, init), new ReLU(),
                new Linear(6, CLASSES, true, init)));
        InvariantModel model = new InvariantModel(net, S);
        INDArray x = random(1, N, C, H, W);
        INDArray v = random(2, N, CLASSES);
        AugmentationNoise noise = AugmentationNoise.draw(N, S, 17);
        AffineAugmentation aug = new AffineAugmentation(ETA);

        INDArray augmented = aug.apply(x, noise);
        model.forward(augmented.reshape(N * S, C * H * W), Mode.TRAIN);
        INDArray gradAugmented = model.backward(v, BackwardContext.training()).reshape(N * S, C, H, W);
        double[] analytic = aug.vjp(x, noise, gradAugmented, false).eta();

        double h = 1e-6;
        double sumSq = 0;
        double errSq = 0;
        for (int k = 0; k < AffineGenerator.COUNT; k++) {
            double[] plus = ETA.clone();
            plus[k] += h;
            double[] minus = ETA.clone();
            minus[k] -= h;
            double fd = (objective(model, new AffineAugmentation(plus), x, noise, v)
                    - objective(model, new AffineAugmentation(minus), x, noise, v)) / (2 * h);
            sumSq += fd * fd;
            errSq += (fd - analytic[k]) * (fd - analytic[k]);
        }
        assertTrue(sumSq > 0);
        assertTrue(Math.sqrt(errSq / sumSq) < 1e-6, "relative error " + Math.sqrt(errSq / sumSq));
        assertEquals(N * S, augmented.size(0));
    }
}
