package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.graph.Graph;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The OGB raw-CSV reader on small files written here (plain and gzipped, missing labels, inverse edges, corrupt
 * content naming file and line), and the synthetic graphs' labels against their definitions on hand-checked graphs.
 */
class GraphDataTest {
    @TempDir
    Path dir;

    private void write(String name, String content, boolean gzip) throws IOException {
        if (gzip) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".csv.gz")))) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(dir.resolve(name + ".csv"), content);
        }
    }

    /** Two graphs: a path of 3 nodes (2 bonds) and a single bond; 2 node features, 1 edge feature, 3 tasks. */
    private void writeValid(boolean gzip) throws IOException {
        write("num-node-list", "3\n2\n", gzip);
        write("num-edge-list", "2\n1\n", gzip);
        write("edge", "0,1\n1,2\n1,0\n", gzip);
        write("node-feat", "6,0\n8,1\n6,2\n7,0\n7,1\n", gzip);
        write("edge-feat", "1\n2\n3\n", gzip);
        write("graph-label", "1,,0\n0,1,nan\n", gzip);
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            writeValid(gzip);
            GraphDataset data = new OgbGraphReader(true).read(dir, DataType.FLOAT);
            assertEquals(2, data.size());
            assertEquals(3, data.tasks());
            assertEquals(2, data.nodeFeatures());
            assertEquals(1, data.edgeFeatures());
            Graph first = data.graphs().get(0);
            assertEquals(3, first.nodes());
            assertArrayEquals(new int[] {0, 1, 1, 2}, first.senders());
            assertArrayEquals(new int[] {1, 2, 0, 1}, first.receivers());
            assertArrayEquals(new double[] {1, 2, 1, 2}, first.edgeValues());
            assertArrayEquals(new double[] {6, 0, 8, 1, 6, 2}, first.nodeValues());
            Graph second = data.graphs().get(1);
            assertArrayEquals(new int[] {1, 0}, second.senders());
            INDArray y = data.targets();
            assertEquals(1.0, y.getDouble(0, 0));
            assertTrue(Double.isNaN(y.getDouble(0, 1)));
            assertEquals(0.0, y.getDouble(0, 2));
            assertTrue(Double.isNaN(y.getDouble(1, 2)));
            assertEquals(2, data.inputs().size(0));
        }
        assertEquals(2, new OgbGraphReader(false).read(dir, DataType.FLOAT).graphs().get(0).edges());
    }

    @Test
    void corruptContentNamesFileAndLine() throws IOException {
        writeValid(false);
        write("edge", "0,1\n1,x\n1,0\n", false);
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> new OgbGraphReader(true).read(dir, DataType.FLOAT));
        assertTrue(e.getMessage().contains("edge.csv") && e.getMessage().contains("line 2"), e.getMessage());
        write("edge", "0,1\n1,3\n1,0\n", false);
        e = assertThrows(CorruptDataException.class, () -> new OgbGraphReader(true).read(dir, DataType.FLOAT));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("not a node of graph 0"),
                e.getMessage());
        write("edge", "0,1\n1,2\n", false);
        e = assertThrows(CorruptDataException.class, () -> new OgbGraphReader(true).read(dir, DataType.FLOAT));
        assertTrue(e.getMessage().contains("2 lines, expected 3"), e.getMessage());
        writeValid(false);
        write("graph-label", "1,,0\n0,2,\n", false);
        e = assertThrows(CorruptDataException.class, () -> new OgbGraphReader(true).read(dir, DataType.FLOAT));
        assertTrue(e.getMessage().contains("graph-label.csv") && e.getMessage().contains("line 2, column 2"),
                e.getMessage());
        writeValid(false);
        write("node-feat", "6,0\n8\n6,2\n7,0\n7,1\n", false);
        e = assertThrows(CorruptDataException.class, () -> new OgbGraphReader(true).read(dir, DataType.FLOAT));
        assertTrue(e.getMessage().contains("node-feat.csv") && e.getMessage().contains("line 2"), e.getMessage());
        Files.delete(dir.resolve("num-edge-list.csv"));
        assertThrows(NoSuchFileException.class, () -> new OgbGraphReader(true).read(dir, DataType.FLOAT));
    }

    @Test
    void structuralLabelsFollowTheirDefinitions() {
        boolean[][] triangle = adjacency(4, new int[][] {{0, 1}, {1, 2}, {2, 0}});
        assertTrue(SyntheticGraphs.hasTriangle(triangle));
        assertEquals(2, SyntheticGraphs.maxDegree(triangle));
        assertTrue(!SyntheticGraphs.connected(triangle), "node 3 is isolated");
        boolean[][] star = adjacency(5, new int[][] {{0, 1}, {0, 2}, {0, 3}, {0, 4}});
        assertTrue(!SyntheticGraphs.hasTriangle(star));
        assertEquals(4, SyntheticGraphs.maxDegree(star));
        assertTrue(SyntheticGraphs.connected(star));
    }

    @Test
    void syntheticDataSetIsSeededAndHasBothClassesPerTask() {
        GraphDataset a = SyntheticGraphs.generate(200, 4, 12, 0.25, 3, DataType.FLOAT);
        GraphDataset b = SyntheticGraphs.generate(200, 4, 12, 0.25, 3, DataType.FLOAT);
        assertEquals(a.graphs(), b.graphs());
        INDArray y = a.targets();
        for (int t = 0; t < SyntheticGraphs.TASKS; t++) {
            double positives = y.getColumn(t).sumNumber().doubleValue();
            assertTrue(positives > 20 && positives < 180, "task " + t + " has " + positives + " positives of 200");
        }
        for (Graph g : a.graphs()) {
            assertEquals(0, g.edges() % 2, "undirected: both directions");
        }
        assertThrows(IllegalArgumentException.class, () -> SyntheticGraphs.generate(0, 4, 12, 0.2, 1,
                DataType.FLOAT));
    }

    private static boolean[][] adjacency(int n, int[][] edges) {
        boolean[][] a = new boolean[n][n];
        for (int[] e : edges) {
            a[e[0]][e[1]] = true;
            a[e[1]][e[0]] = true;
        }
        return a;
    }
}
