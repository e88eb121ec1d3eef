package io.kronlaplace.laplace;

import io.kronlaplace.nn.Network;
import java.util.Arrays;
import java.util.Objects;

/**
 * The parameters a {@link SubsetOfWeights#SUBNETWORK} posterior covers: distinct indices into the flat parameter
 * vector of the {@link SubsetOfWeights#ALL} subset (weight then bias of each weight layer, in forward order, each in
 * row-major order), held ascending. The other parameters stay at their MAP values. Chosen by the largest marginal
 * variances of a diagonal Laplace posterior ({@link #largestVariance}), the largest magnitudes
 * ({@link #largestMagnitude}) or given ({@link #of}). Immutable. See docs/laplace.md, section Subnetwork Laplace.
 */
public final class Subnetwork implements java.io.Serializable {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final int[] indices;

    private Subnetwork(int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("a subnetwork needs at least one parameter index");
        }
        int[] sorted = indices.clone();
        Arrays.sort(sorted);
        if (sorted[0] < 0) {
            throw new IllegalArgumentException("subnetwork parameter indices must be >= 0, got " + sorted[0]);
        }
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("subnetwork parameter index " + sorted[i] + " is given twice");
            }
        }
        this.indices = sorted;
    }

    /**
     * The given parameters.
     *
     * @param indices distinct indices into the flat parameter vector of the ALL subset, in any order
     * @return the subnetwork of those parameters
     * @throws IllegalArgumentException when there are none, one is negative or one is repeated
     */
    public static Subnetwork of(int... indices) {
        return new Subnetwork(Objects.requireNonNull(indices, "indices"));
    }

    /**
     * The {@code size} parameters with the largest scores; of equal scores the lower index is taken first.
     *
     * @param scores one finite score per parameter of the ALL subset
     * @param size   how many parameters to choose, 1 to {@code scores.length}
     * @return the subnetwork of the chosen parameters
     * @throws IllegalArgumentException when size is out of range or a score is not finite
     */
    public static Subnetwork largest(double[] scores, int size) {
        Objects.requireNonNull(scores, "scores");
        if (size < 1 || size > scores.length) {
            throw new IllegalArgumentException("subnetwork size must be between 1 and the " + scores.length
                    + " parameters, got " + size);
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("subnetwork selection score of parameter " + i + " is "
                        + scores[i]);
            }
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // stable sort: equal scores keep ascending index order
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        int[] chosen = new int[size];
        for (int i = 0; i < size; i++) {
            chosen[i] = order[i];
        }
        return new Subnetwork(chosen);
    }

    /**
     * The {@code size} parameters of the network with the largest absolute values.
     *
     * @param network the network at its MAP weights
     * @param size    how many parameters to choose, 1 to the number of weight-layer parameters
     * @return the subnetwork of the chosen parameters
     * @throws IllegalArgumentException when size is out of range or a weight is not finite
     */
    public static Subnetwork largestMagnitude(Network network, int size) {
        double[] values = CoveredWeights.all(network).flatValues();
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.abs(values[i]);
        }
        return largest(values, size);
    }

    /**
     * The {@code size} parameters with the largest marginal posterior variances {@code 1 / (s diag(H)_i + delta_i)}
     * of a fitted diagonal Laplace posterior over all weights, at its current hyperparameters.
     *
     * @param diagonal a fitted {@link DiagLaplace} over the {@link SubsetOfWeights#ALL} subset
     * @param size     how many parameters to choose, 1 to {@code diagonal.dim()}
     * @return the subnetwork of the chosen parameters
     * @throws IllegalArgumentException when the posterior does not cover all weights or size is out of range
     * @throws IllegalStateException    when the posterior is not fitted
     */
    public static Subnetwork largestVariance(DiagLaplace diagonal, int size) {
        Objects.requireNonNull(diagonal, "diagonal posterior");
        if (diagonal.subset() != SubsetOfWeights.ALL) {
            throw new IllegalArgumentException("subnetwork selection by marginal variance needs a diagonal posterior "
                    + "over ALL weights, got " + diagonal.subset());
        }
        return largest(diagonal.marginalVariances(), size);
    }

    /**
     * The chosen indices, ascending.
     *
     * @return a copy of the indices into the flat parameter vector of the ALL subset
     */
    public int[] indices() {
        return indices.clone();
    }

    /**
     * The number of chosen parameters.
     *
     * @return the size of the subnetwork
     */
    public int size() {
        return indices.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subnetwork s && Arrays.equals(indices, s.indices);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return "Subnetwork" + (indices.length <= 8 ? Arrays.toString(indices) : "[" + indices.length + " parameters]");
    }
}
