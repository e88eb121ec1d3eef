package io.kronlaplace.hyperopt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Class probabilities of the same rows under the evaluated methods, each rows x C float64.
 *
 * @param map        softmax of the model's outputs at the MAP (the invariant model's averaged outputs when the
 *                   model learned augmentation)
 * @param probit     Laplace GLM predictive with the probit link
 * @param monteCarlo Laplace GLM predictive with Monte-Carlo sampling
 * @param plainMap   softmax of the plain network's outputs when the others are of the invariant model, else null
 */
public record MethodProbabilities(INDArray map, INDArray probit, INDArray monteCarlo, INDArray plainMap) {
    /**
     * Checks that the three methods are present.
     *
     * @param map        softmax of the model's outputs at the MAP
     * @param probit     Laplace GLM predictive with the probit link
     * @param monteCarlo Laplace GLM predictive with Monte-Carlo sampling
     * @param plainMap   the plain network's MAP probabilities, or null
     */
    public MethodProbabilities {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(probit, "probit");
        Objects.requireNonNull(monteCarlo, "monteCarlo");
    }

    /**
     * The probabilities of a plain network's three methods.
     *
     * @param map        softmax of the network's outputs at the MAP
     * @param probit     Laplace GLM predictive with the probit link
     * @param monteCarlo Laplace GLM predictive with Monte-Carlo sampling
     */
    public MethodProbabilities(INDArray map, INDArray probit, INDArray monteCarlo) {
        this(map, probit, monteCarlo, null);
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
        List<INDArray> plain = new ArrayList<>(parts.size());
        for (MethodProbabilities p : parts) {
            map.add(p.map);
            probit.add(p.probit);
            mc.add(p.monteCarlo);
            if (p.plainMap != null) {
                plain.add(p.plainMap);
            }
        }
        if (!plain.isEmpty() && plain.size() != parts.size()) {
            throw new IllegalArgumentException("plain-network probabilities in " + plain.size() + " of "
                    + parts.size() + " parts");
        }
        return new MethodProbabilities(Nd4j.vstack(map), Nd4j.vstack(probit), Nd4j.vstack(mc),
                plain.isEmpty() ? null : Nd4j.vstack(plain));
    }
}
