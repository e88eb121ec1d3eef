package io.kronlaplace.validation.data;

import io.kronlaplace.nn.graph.Graph;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads an OGB graph-property data set (e.g. ogbg-molpcba) from its {@code raw/} folder of CSV files, each plain or
 * gzipped ({@code NAME.csv.gz} is used when present, else {@code NAME.csv}):
 * <ul>
 *   <li>{@code num-node-list.csv}, {@code num-edge-list.csv}: one count per graph and line;</li>
 *   <li>{@code edge.csv}: one edge per line, {@code sender,receiver} as node indices local to its graph, the graphs'
 *       edges one after another;</li>
 *   <li>{@code node-feat.csv}, {@code edge-feat.csv} (optional): one row of numbers per node or edge, in the same
 *       order;</li>
 *   <li>{@code graph-label.csv}: one row of labels per graph, 0 or 1, an empty cell (or {@code nan}) for a missing
 *       label.</li>
 * </ul>
 * OGB lists each bond once; with {@code addInverseEdges} (as OGB's loaders do for the molecule sets) every edge is
 * also added reversed, with the same features. Without node features each node gets the single feature 1. Features
 * are kept as the numbers in the files (OGB's categorical atom and bond codes are not embedded here). Any malformed
 * or inconsistent content raises a {@link CorruptDataException} naming the file and line.
 */
public final class OgbGraphReader {
    private final boolean addInverseEdges;

    /** @param addInverseEdges whether to add every edge reversed as well */
    public OgbGraphReader(boolean addInverseEdges) {
        this.addInverseEdges = addInverseEdges;
    }

    /**
     * Reads an OGB graph-property data set from its raw files.
     *
     * @param raw  the {@code raw/} folder
     * @param type floating type of the packed inputs
     * @return the graphs with their labels
     * @throws NoSuchFileException  when a required file is missing (the message names the plain and gzipped name)
     * @throws CorruptDataException on malformed or inconsistent content
     */
    public GraphDataset read(Path raw, DataType type) throws IOException {
        Path nodeCountFile = locate(raw, "num-node-list", true);
        Path edgeCountFile = locate(raw, "num-edge-list", true);
        int[] nodeCounts = counts(nodeCountFile, 1);
        int[] edgeCounts = counts(edgeCountFile, 0);
        if (nodeCounts.length != edgeCounts.length) {
            throw new CorruptDataException(edgeCountFile, edgeCounts.length + " graphs, but " + nodeCountFile
                    .getFileName() + " has " + nodeCounts.length);
        }
        int graphs = nodeCounts.length;
        long totalNodes = 0;
        long totalEdges = 0;
        for (int g = 0; g < graphs; g++) {
            totalNodes += nodeCounts[g];
            totalEdges += edgeCounts[g];
        }
        Path edgeFile = locate(raw, "edge", true);
        List<double[]> edges = rows(edgeFile, totalEdges, 2, false);
        Path nodeFeatFile = locate(raw, "node-feat", false);
        List<double[]> nodeFeatures = nodeFeatFile == null ? null : rows(nodeFeatFile, totalNodes, -1, false);
        Path edgeFeatFile = locate(raw, "edge-feat", false);
        List<double[]> edgeFeatures = edgeFeatFile == null ? null : rows(edgeFeatFile, totalEdges, -1, false);
        Path labelFile = locate(raw, "graph-label", true);
        List<double[]> labels = rows(labelFile, graphs, -1, true);
        int dn = nodeFeatures == null ? 1 : nodeFeatures.get(0).length;
        int de = edgeFeatures == null ? 0 : edgeFeatures.get(0).length;
        List<Graph> out = new ArrayList<>(graphs);
        int nodeRow = 0;
        int edgeRow = 0;
        for (int g = 0; g < graphs; g++) {
            int n = nodeCounts[g];
            int e = edgeCounts[g];
            int copies = addInverseEdges ? 2 : 1;
            int[] senders = new int[copies * e];
            int[] receivers = new int[copies * e];
            double[] ev = new double[copies * e * de];
            for (int k = 0; k < e; k++) {
                double[] edge = edges.get(edgeRow + k);
                int s = nodeIndex(edge[0], n, edgeFile, edgeRow + k, g);
                int t = nodeIndex(edge[1], n, edgeFile, edgeRow + k, g);
                senders[k] = s;
                receivers[k] = t;
                if (addInverseEdges) {
                    senders[e + k] = t;
                    receivers[e + k] = s;
                }
                for (int c = 0; c < copies; c++) {
                    if (de > 0) {
                        System.arraycopy(edgeFeatures.get(edgeRow + k), 0, ev, (c * e + k) * de, de);
                    }
                }
            }
            double[] nv = new double[n * dn];
            for (int i = 0; i < n; i++) {
                if (nodeFeatures == null) {
                    nv[i] = 1;
                } else {
                    System.arraycopy(nodeFeatures.get(nodeRow + i), 0, nv, i * dn, dn);
                }
            }
            out.add(new Graph(n, nv, ev, senders, receivers, dn, de));
            nodeRow += n;
            edgeRow += e;
        }
        double[][] y = new double[graphs][];
        for (int g = 0; g < graphs; g++) {
            y[g] = labels.get(g);
            for (int t = 0; t < y[g].length; t++) {
                if (!(Double.isNaN(y[g][t]) || y[g][t] == 0 || y[g][t] == 1)) {
                    throw new CorruptDataException(labelFile, "line " + (g + 1) + ", column " + (t + 1) + ": label "
                            + y[g][t] + " is not 0, 1 or empty");
                }
            }
        }
        return new GraphDataset(raw.toString(), out, y, type);
    }

    private static int nodeIndex(double v, int nodes, Path file, int row, int graph) throws CorruptDataException {
        if (v != Math.rint(v) || v < 0 || v >= nodes) {
            throw new CorruptDataException(file, "line " + (row + 1) + ": node " + v + " is not a node of graph "
                    + graph + " (" + nodes + " nodes)");
        }
        return (int) v;
    }

    /** The gzipped or plain file, or null for a missing optional one. */
    private static Path locate(Path raw, String name, boolean required) throws NoSuchFileException {
        Path gz = raw.resolve(name + ".csv.gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = raw.resolve(name + ".csv");
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        if (required) {
            throw new NoSuchFileException(plain.toString(), gz.toString(), "OGB raw folder lacks " + name + ".csv");
        }
        return null;
    }

    private static int[] counts(Path file, int min) throws IOException {
        List<double[]> rows = rows(file, -1, 1, false);
        int[] out = new int[rows.size()];
        for (int i = 0; i < out.length; i++) {
            double v = rows.get(i)[0];
            if (v != Math.rint(v) || v < min || v > Integer.MAX_VALUE) {
                throw new CorruptDataException(file, "line " + (i + 1) + ": count " + v + " is not an integer >= "
                        + min);
            }
            out[i] = (int) v;
        }
        if (out.length == 0) {
            throw new CorruptDataException(file, "no graphs");
        }
        return out;
    }

    /**
     * All lines as numbers: exactly {@code expectedRows} lines (any number when negative) of {@code width} cells (the
     * first line's width when negative); empty cells are NaN where allowed.
     */
    private static List<double[]> rows(Path file, long expectedRows, int width, boolean emptyIsMissing)
            throws IOException {
        List<double[]> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            int cells = width;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() && !emptyIsMissing) {
                    throw new CorruptDataException(file, "line " + number + " is empty");
                }
                String[] parts = line.split(",", -1);
                if (cells < 0) {
                    cells = parts.length;
                }
                if (parts.length != cells) {
                    throw new CorruptDataException(file, "line " + number + " has " + parts.length + " cells, expected "
                            + cells);
                }
                double[] v = new double[cells];
                for (int c = 0; c < cells; c++) {
                    String cell = parts[c].trim();
                    if (emptyIsMissing && (cell.isEmpty() || cell.equalsIgnoreCase("nan"))) {
                        v[c] = Double.NaN;
                        continue;
                    }
                    try {
                        v[c] = Double.parseDouble(cell);
                    } catch (NumberFormatException e) {
                        throw new CorruptDataException(file, "line " + number + ", column " + (c + 1) + ": '" + cell
                                + "' is not a number");
                    }
                    if (!Double.isFinite(v[c])) {
                        throw new CorruptDataException(file, "line " + number + ", column " + (c + 1)
                                + ": value is not finite");
                    }
                }
                out.add(v);
            }
            if (expectedRows >= 0 && out.size() != expectedRows) {
                throw new CorruptDataException(file, out.size() + " lines, expected " + expectedRows
                        + " (from num-node-list and num-edge-list)");
            }
        }
        return out;
    }
}
