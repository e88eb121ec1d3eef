package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.Network;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** {@link ModelEvaluation#withPosterior}: the last layer's prior is picked by group name; bad choices are refused. */
class ModelEvaluationPosteriorTest {
    /** Two convolutions and a final Linear layer, each with a bias: six groups, the last layer's are the last two. */
    private static final Network NET = TinyNets.conv(1, 3, 5, DataType.DOUBLE);

    private static ModelEvaluation evaluation(PriorPrecision prior) {
        return new ModelEvaluation(NET, prior, KfacFlavour.REDUCE, 4, 3, 0, line -> { });
    }

    @Test
    void lastLayerTakesThePriorsOfItsWeightAndBias() {
        ModelEvaluation last = evaluation(PriorPrecision.perGroup(1, 2, 3, 4, 5, 6))
                .withPosterior(SubsetOfWeights.LAST_LAYER, List.of(LinkApproximation.BRIDGE));
        assertEquals(PriorPrecision.Kind.PER_GROUP, last.prior().kind());
        assertArrayEquals(new double[] {5, 6}, last.prior().values(), 0);
        assertEquals(SubsetOfWeights.LAST_LAYER, last.options().subset());
        assertEquals(List.of(LinkApproximation.BRIDGE), last.links());

        PriorPrecision scalar = PriorPrecision.scalar(0.7);
        assertSame(scalar, evaluation(scalar).withPosterior(SubsetOfWeights.LAST_LAYER, ModelEvaluation.DEFAULT_LINKS)
                .prior());
        ModelEvaluation all = evaluation(PriorPrecision.perGroup(1, 2, 3, 4, 5, 6))
                .withPosterior(SubsetOfWeights.ALL, List.of(LinkApproximation.MC));
        assertEquals(6, all.prior().size());
        assertEquals(SubsetOfWeights.ALL, all.options().subset());
    }

    @Test
    void refusesOtherSubsetsRepeatedLinksAndPriorsWithoutALastLayerPart() {
        ModelEvaluation base = evaluation(PriorPrecision.scalar(1));
        assertThrows(IllegalArgumentException.class,
                () -> base.withPosterior(SubsetOfWeights.SUBNETWORK, ModelEvaluation.DEFAULT_LINKS));
        assertThrows(IllegalArgumentException.class, () -> base.withPosterior(SubsetOfWeights.ALL, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> base.withPosterior(SubsetOfWeights.ALL, List.of(LinkApproximation.MC, LinkApproximation.MC)));
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> evaluation(
                PriorPrecision.perGroup(1, 2, 3)).withPosterior(SubsetOfWeights.LAST_LAYER, List.of(
                LinkApproximation.MC)));
        assertTrue(count.getMessage().contains("3 values") && count.getMessage().contains("6 parameter groups"),
                count.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelEvaluation.lastLayerPrior(NET,
                PriorPrecision.perParameter(1, 2)));
    }
}
