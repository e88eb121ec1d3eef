package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AffineGenerator;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The evaluation of a model trained with learned augmentation as its invariant model: identity augmentation
 * reproduces the plain evaluation, and the invariant MAP is the softmax of the outputs averaged over the augmented
 * copies drawn with the documented seed.
 */
class InvariantEvaluationTest {
    private static final long SEED = 5;

    private static ImageDataset images(int n, long seed) {
        ImageDataset raw = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1).generate("patterns", n, seed);
        return new ImageDataset(raw.name(), raw.images().castTo(DataType.DOUBLE), raw.labels(), raw.numClasses());
    }

    private static MethodProbabilities predict(ModelEvaluation evaluation, ImageDataset train, ImageDataset test) {
        LaplacePosterior posterior = Laplace.create(evaluation.network(), evaluation.options());
        posterior.fit(evaluation.trainingBatches(train).iterator());
        return evaluation.predictor(posterior).predict(test);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void identityAugmentationGivesThePlainEvaluationPlusThePlainRow() {
        Network net = TinyNets.conv(3, 10, 2, DataType.DOUBLE);
        ImageDataset train = images(8, 1);
        ImageDataset test = images(5, 2);
        ModelEvaluation plain = new ModelEvaluation(net, PriorPrecision.scalar(2.0), KfacFlavour.REDUCE, 4, 20, SEED,
                line -> { });
        ModelEvaluation invariant = plain.asInvariantModel(new double[AffineGenerator.COUNT], 3);
        assertTrue(invariant.invariant());
        MethodProbabilities p = predict(plain, train, test);
        MethodProbabilities q = predict(invariant, train, test);
        assertNull(p.plainMap());
        // S identical copies: the same outputs, the same mean Jacobian, the same REDUCE factors
        assertTrue(maxAbsDiff(p.map(), q.map()) < 1e-12);
        assertTrue(maxAbsDiff(p.map(), q.plainMap()) < 1e-12);
        assertTrue(maxAbsDiff(p.probit(), q.probit()) < 1e-9, "probit " + maxAbsDiff(p.probit(), q.probit()));
        assertTrue(maxAbsDiff(p.map(), p.probit()) > 1e-6, "the Laplace predictive differs from MAP");
    }

    @Test
    void invariantMapAveragesTheOutputsOfTheSeededCopies() {
        Network net = TinyNets.conv(3, 10, 2, DataType.DOUBLE);
        ImageDataset train = images(6, 1);
        ImageDataset test = images(5, 2);
        double[] eta = new double[AffineGenerator.COUNT];
        eta[AffineGenerator.ROTATION.ordinal()] = 0.8;
        ModelEvaluation invariant = new ModelEvaluation(net, PriorPrecision.scalar(2.0), KfacFlavour.EXPAND, 8, 10,
                SEED, line -> { }).asInvariantModel(eta, 4);
        MethodProbabilities q = predict(invariant, train, test);
        INDArray copies = new AffineAugmentation(eta).apply(test.images(), AugmentationNoise.draw(5, 4, SEED));
        INDArray outputs = net.forward(copies, Mode.EVAL).castTo(DataType.DOUBLE);
        for (int n = 0; n < 5; n++) {
            double[] logits = new double[10];
            double z = 0;
            for (int c = 0; c < 10; c++) {
                for (int s = 0; s < 4; s++) {
                    logits[c] += outputs.getDouble(n * 4 + s, c) / 4;
                }
                z += Math.exp(logits[c]);
            }
            for (int c = 0; c < 10; c++) {
                assertEquals(Math.exp(logits[c]) / z, q.map().getDouble(n, c), 1e-12);
            }
        }
        INDArray plain = Transforms.softmax(net.forward(test.images(), Mode.EVAL).castTo(DataType.DOUBLE), true);
        assertTrue(maxAbsDiff(plain, q.plainMap()) < 1e-12);
        assertTrue(maxAbsDiff(plain, q.map()) > 1e-6, "rotated copies change the prediction");
        assertEquals(5, q.probit().size(0));
        assertEquals(1.0, q.probit().sum(1).getDouble(3), 1e-12);
    }

    @Test
    void onlyLearnedNonZeroMagnitudesWithSeveralCopiesMakeAnInvariantModel() {
        double[] eta = new double[AffineGenerator.COUNT];
        assertFalse(ModelEvaluation.learnedInvariance(new double[0], 2));
        assertFalse(ModelEvaluation.learnedInvariance(eta, 2));
        eta[AffineGenerator.ROTATION.ordinal()] = 0.3;
        assertFalse(ModelEvaluation.learnedInvariance(eta, 1));
        assertTrue(ModelEvaluation.learnedInvariance(eta, 2));
        ModelEvaluation plain = new ModelEvaluation(TinyNets.conv(3, 10, 2, DataType.DOUBLE),
                PriorPrecision.scalar(1.0), KfacFlavour.REDUCE, 4, 1, SEED, line -> { });
        assertThrows(IllegalArgumentException.class, () -> plain.asInvariantModel(eta, 1));
        assertThrows(IllegalArgumentException.class, () -> plain.asInvariantModel(new double[2], 2));
    }
}
