package io.kronlaplace.hyperopt;

import io.kronlaplace.laplace.predictive.LinkApproximation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Class probabilities of the same rows under the evaluated methods, each rows x C float64.
 *
 * @param map      softmax of the model's outputs at the MAP (the invariant model's averaged outputs when the model
 *                 learned augmentation)
 * @param laplace  the Laplace GLM predictive under each evaluated link (at least one), unmodifiable
 * @param plainMap softmax of the plain network's outputs when the others are of the invariant model, else null
 */
public record MethodProbabilities(INDArray map, Map<LinkApproximation, INDArray> laplace, INDArray plainMap) {
    /**
     * Checks that MAP and at least one link are present and copies the links.
     *
     * @param map      softmax of the model's outputs at the MAP
     * @param laplace  the Laplace GLM predictive under each evaluated link
     * @param plainMap the plain network's MAP probabilities, or null
     * @throws IllegalArgumentException when no link is given
     */
    public MethodProbabilities {
        Objects.requireNonNull(map, "map");
        if (Objects.requireNonNull(laplace, "laplace").isEmpty()) {
            throw new IllegalArgumentException("at least one Laplace link is needed");
        }
        laplace = Collections.unmodifiableMap(new EnumMap<>(laplace));
    }

    /**
     * The probabilities of a plain network's MAP, probit and Monte-Carlo methods.
     *
     * @param map        softmax of the network's outputs at the MAP
     * @param probit     Laplace GLM predictive with the probit link
     * @param monteCarlo Laplace GLM predictive with Monte-Carlo sampling
     */
    public MethodProbabilities(INDArray map, INDArray probit, INDArray monteCarlo) {
        this(map, Map.of(LinkApproximation.PROBIT, Objects.requireNonNull(probit, "probit"),
                LinkApproximation.MC, Objects.requireNonNull(monteCarlo, "monteCarlo")), null);
    }

    /**
     * The Laplace GLM predictive under one link.
     *
     * @param link the link
     * @return its probabilities, rows x C
     * @throws IllegalArgumentException when the link was not evaluated
     */
    public INDArray laplace(LinkApproximation link) {
        INDArray p = laplace.get(link);
        if (p == null) {
            throw new IllegalArgumentException("the " + link + " link was not evaluated, only " + laplace.keySet());
        }
        return p;
    }

    /**
     * The Laplace GLM predictive with the probit link.
     *
     * @return its probabilities, rows x C
     * @throws IllegalArgumentException when the probit link was not evaluated
     */
    public INDArray probit() {
        return laplace(LinkApproximation.PROBIT);
    }

    /**
     * The Laplace GLM predictive with Monte-Carlo sampling.
     *
     * @return its probabilities, rows x C
     * @throws IllegalArgumentException when the Monte-Carlo link was not evaluated
     */
    public INDArray monteCarlo() {
        return laplace(LinkApproximation.MC);
    }

    /**
     * The same probabilities in memory of their own, outside any open workspace (for a batch predicted inside one).
     *
     * @return the detached probabilities
     */
    public MethodProbabilities detached() {
        Map<LinkApproximation, INDArray> links = new EnumMap<>(LinkApproximation.class);
        laplace.forEach((link, probs) -> links.put(link, probs.detach()));
        return new MethodProbabilities(map.detach(), links, plainMap == null ? null : plainMap.detach());
    }

    /**
     * The rows of consecutive parts stacked in order.
     *
     * @param parts the parts, each with the same links and all or none with plain-network probabilities
     * @return the stacked probabilities
     * @throws IllegalArgumentException for no parts, or parts with different links or plain-network rows
     */
    public static MethodProbabilities stack(List<MethodProbabilities> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("cannot predict an empty data set");
        }
        List<INDArray> map = new ArrayList<>(parts.size());
        Map<LinkApproximation, List<INDArray>> laplace = new EnumMap<>(LinkApproximation.class);
        List<INDArray> plain = new ArrayList<>(parts.size());
        for (MethodProbabilities p : parts) {
            if (!p.laplace.keySet().equals(parts.get(0).laplace.keySet())) {
                throw new IllegalArgumentException("parts with links " + p.laplace.keySet() + " and "
                        + parts.get(0).laplace.keySet());
            }
            map.add(p.map);
            p.laplace.forEach((link, probs) -> laplace.computeIfAbsent(link, l -> new ArrayList<>()).add(probs));
            if (p.plainMap != null) {
                plain.add(p.plainMap);
            }
        }
        if (!plain.isEmpty() && plain.size() != parts.size()) {
            throw new IllegalArgumentException("plain-network probabilities in " + plain.size() + " of "
                    + parts.size() + " parts");
        }
        Map<LinkApproximation, INDArray> stacked = new EnumMap<>(LinkApproximation.class);
        laplace.forEach((link, list) -> stacked.put(link, Nd4j.vstack(list)));
        return new MethodProbabilities(Nd4j.vstack(map), stacked, plain.isEmpty() ? null : Nd4j.vstack(plain));
    }
}
