package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kronlaplace.curvature.CurvatureType;
import org.junit.jupiter.api.Test;

/**
 * Pins the factory's default recipe, the one the measured recipe table recommends (docs/recipes.md): K-FAC over the
 * last layer, exact GGN, classification.
 */
class DefaultRecipeTest {
    @Test
    void defaultOptionsAreKronOverTheLastLayer() {
        LaplaceOptions options = LaplaceOptions.builder().build();
        assertEquals(SubsetOfWeights.LAST_LAYER, options.subset());
        assertEquals(HessianStructure.KRON, options.structure());
        assertEquals(LikelihoodType.CLASSIFICATION, options.likelihood());
        assertEquals(CurvatureType.GGN, options.curvatureType());
        assertEquals(1.0, options.temperature(), 0);
    }

    @Test
    void defaultPosteriorCoversOnlyTheLastLinearLayer() {
        // MLP 3 -> 4 -> 2: the last layer has 4 x 2 weights and 2 biases
        LaplacePosterior posterior = Laplace.create(Fixtures.mlp(2, 5), LaplaceOptions.builder().build());
        assertEquals(SubsetOfWeights.LAST_LAYER, posterior.subset());
        assertEquals(Fixtures.HIDDEN * 2 + 2, posterior.dim());
        assertEquals(HessianStructure.KRON, posterior.structure());
    }
}
