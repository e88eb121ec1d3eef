package io.kronlaplace.nn.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small seeded graphs of different sizes for the graph-network tests, including one without edges. */
public final class TestGraphs {
    private TestGraphs() {
    }

    /** A graph with the given directed edges and uniform(-1, 1) features. */
    public static Graph graph(int nodes, int[][] edges, int nodeFeatures, int edgeFeatures, long seed) {
        Random r = new Random(seed);
        double[] nv = new double[nodes * nodeFeatures];
        double[] ev = new double[edges.length * edgeFeatures];
        for (int i = 0; i < nv.length; i++) {
            nv[i] = 2 * r.nextDouble() - 1;
        }
        for (int i = 0; i < ev.length; i++) {
            ev[i] = 2 * r.nextDouble() - 1;
        }
        int[] s = new int[edges.length];
        int[] t = new int[edges.length];
        for (int k = 0; k < edges.length; k++) {
            s[k] = edges[k][0];
            t[k] = edges[k][1];
        }
        return new Graph(nodes, nv, ev, s, t, nodeFeatures, edgeFeatures);
    }

    /** Three graphs of 3, 4 and 1 nodes (a triangle, a path with a branch and a lone node). */
    public static List<Graph> mixed(int nodeFeatures, int edgeFeatures, long seed) {
        List<Graph> out = new ArrayList<>();
        out.add(graph(3, new int[][] {{0, 1}, {1, 0}, {1, 2}, {2, 0}}, nodeFeatures, edgeFeatures, seed));
        out.add(graph(4, new int[][] {{0, 1}, {1, 2}, {2, 1}, {1, 3}, {3, 3}}, nodeFeatures, edgeFeatures, seed + 1));
        out.add(graph(1, new int[0][], nodeFeatures, edgeFeatures, seed + 2));
        return out;
    }
}
