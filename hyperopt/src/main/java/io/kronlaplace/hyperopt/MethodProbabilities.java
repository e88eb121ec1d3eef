package io.kronlaplace.hyperopt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Class probabilities of the same rows under the three evaluated methods, each rows x C float64.
 *
 * @param map        softmax of the network's outputs at the MAP
 * @param probit     Laplace GLM predictive with the probit link
 * @param monteCarlo Laplace GLM predictive with Monte-Carlo sampling
 */
public record MethodProbabilities(INDArray map, INDArray probit, INDArray monteCarlo) {
    /** Checks that all three are present. */
    public MethodProbabilities {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(probit, "probit");
        Objects.requireNonNull(monteCarlo, "monteCarlo");
    }

    /**
     * The rows of consecutive parts stacked in order.
     *
     * @throws IllegalArgumentException for no parts
     */
    public static MethodProbabilities stack(List<MethodProbabilities> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("cannot predict an empty data set");
        }
        List<INDArray> map = new ArrayList<>(parts.size());
        List<INDArray> probit = new ArrayList<>(parts.size());
        List<INDArray> mc = new ArrayList<>(parts.size());
        for (MethodProbabilities p : parts) {
            map.add(p.map);
            probit.add(p.probit);
            mc.add(p.monteCarlo);
        }
        return new MethodProbabilities(Nd4j.vstack(map), Nd4j.vstack(probit), Nd4j.vstack(mc));
    }
}
