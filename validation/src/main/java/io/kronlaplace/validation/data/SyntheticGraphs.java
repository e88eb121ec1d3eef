package io.kronlaplace.validation.data;

import io.kronlaplace.nn.graph.Graph;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Random undirected graphs whose labels follow from their structure, for tests and experiments without downloads.
 * Each graph has a uniform number of nodes in {@code [minNodes, maxNodes]}; each pair of nodes is joined with
 * probability {@code edgeProbability} (both directions are edges). Node features are {@code [1, u]} with u uniform in
 * (-1, 1), which carries no label information, so the labels must be learned by message passing. Three binary labels:
 * <ol>
 *   <li>the graph contains a triangle;</li>
 *   <li>some node has degree at least {@value #HIGH_DEGREE};</li>
 *   <li>the graph is connected.</li>
 * </ol>
 */
public final class SyntheticGraphs {
    /** The degree that label 2 asks for. */
    public static final int HIGH_DEGREE = 4;
    /** Labels per graph. */
    public static final int TASKS = 3;

    private SyntheticGraphs() {
    }

    /**
     * Random labelled graphs: Erdos-Renyi edges between a uniformly drawn number of nodes, labelled by the rules above.
     *
     * @param count           number of graphs, >= 1
     * @param minNodes        smallest number of nodes of a graph, >= 1
     * @param maxNodes        largest number of nodes of a graph, >= minNodes
     * @param edgeProbability probability of each possible edge, in [0, 1]
     * @param seed            seed of every random draw: the same seed gives the same graphs
     * @param type            floating type of the packed inputs
     * @return {@code count} graphs with {@value #TASKS} labels each
     * @throws IllegalArgumentException on a non-positive count, sizes outside {@code 1 <= minNodes <= maxNodes} or a
     *                                  probability outside [0, 1]
     */
    public static GraphDataset generate(int count, int minNodes, int maxNodes, double edgeProbability, long seed,
                                        DataType type) {
        if (count < 1 || minNodes < 1 || maxNodes < minNodes || !(edgeProbability >= 0 && edgeProbability <= 1)) {
            throw new IllegalArgumentException("synthetic graphs need count >= 1, 1 <= minNodes <= maxNodes and a"
                    + " probability in [0, 1], got " + count + ", " + minNodes + ", " + maxNodes + ", "
                    + edgeProbability);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Graph> graphs = new ArrayList<>(count);
        double[][] labels = new double[count][];
        for (int i = 0; i < count; i++) {
            int n = minNodes + random.nextInt(maxNodes - minNodes + 1);
            boolean[][] adjacent = new boolean[n][n];
            List<int[]> edges = new ArrayList<>();
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    if (random.nextDouble() < edgeProbability) {
                        adjacent[a][b] = true;
                        adjacent[b][a] = true;
                        edges.add(new int[] {a, b});
                        edges.add(new int[] {b, a});
                    }
                }
            }
            double[] features = new double[2 * n];
            for (int a = 0; a < n; a++) {
                features[2 * a] = 1;
                features[2 * a + 1] = 2 * random.nextDouble() - 1;
            }
            int[] senders = edges.stream().mapToInt(e -> e[0]).toArray();
            int[] receivers = edges.stream().mapToInt(e -> e[1]).toArray();
            graphs.add(new Graph(n, features, new double[0], senders, receivers, 2, 0));
            labels[i] = new double[] {hasTriangle(adjacent) ? 1 : 0, maxDegree(adjacent) >= HIGH_DEGREE ? 1 : 0,
                connected(adjacent) ? 1 : 0};
        }
        return new GraphDataset("synthetic-graphs", graphs, labels, type);
    }

    static boolean hasTriangle(boolean[][] adjacent) {
        int n = adjacent.length;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                for (int c = b + 1; c < n && adjacent[a][b]; c++) {
                    if (adjacent[b][c] && adjacent[a][c]) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static int maxDegree(boolean[][] adjacent) {
        int best = 0;
        for (boolean[] row : adjacent) {
            int d = 0;
            for (boolean e : row) {
                d += e ? 1 : 0;
            }
            best = Math.max(best, d);
        }
        return best;
    }

    static boolean connected(boolean[][] adjacent) {
        int n = adjacent.length;
        boolean[] seen = new boolean[n];
        int[] stack = new int[n];
        int top = 0;
        stack[top++] = 0;
        seen[0] = true;
        int reached = 1;
        while (top > 0) {
            int a = stack[--top];
            for (int b = 0; b < n; b++) {
                if (adjacent[a][b] && !seen[b]) {
                    seen[b] = true;
                    reached++;
                    stack[top++] = b;
                }
            }
        }
        return reached == n;
    }
}
