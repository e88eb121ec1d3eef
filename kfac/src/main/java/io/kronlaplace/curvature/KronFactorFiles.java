package io.kronlaplace.curvature;

import io.kronlaplace.io.AtomicFiles;
import io.kronlaplace.io.CorruptFileException;
import io.kronlaplace.io.Npy;
import io.kronlaplace.io.Utf8Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Saves and loads Kronecker factors and their eigendecompositions as NumPy {@code .npy} files (float64), readable
 * from Python: one file per array, named by the layer's position ({@code layer3.A.npy}, {@code layer3.B.npy}; or
 * {@code layer3.QA.npy}, {@code .LA}, {@code .QB}, {@code .LB} for decompositions), and a tab-separated index
 * {@value #INDEX} listing each layer's number, dotted path, flavour, Din, Dout and bias block, ending with a line
 * {@code # end <layers> crc32 <hex>} that holds the layer count and the CRC-32 of every byte before it. Every file is
 * written atomically and the index last, so an interrupted save never leaves an index that points at missing arrays.
 *
 * <p>Biases are not part of A (see docs/kfac.md, section Expand and reduce): the bias column says {@value #BIAS_B}
 * when the layer has a bias, whose curvature block is then B (x) [1], the B factor alone, and {@value #NO_BIAS} when
 * it has none. The {@code curvature} command of the tool writes this same layout.
 *
 * <p>Reading validates the index completely before any array is read: the end line (a cut index is not an empty
 * one), the checksum (a changed path or flavour is not accepted), consecutive layer numbers from 0 and distinct paths
 * (a duplicated line does not silently replace a layer). Every problem is a {@link CorruptFileException} naming the
 * file and the line; see docs/file-formats.md, section K-FAC factor directories.
 */
public final class KronFactorFiles {
    /** Name of the index file inside the directory. */
    public static final String INDEX = "kfac-index.tsv";
    private static final String FACTORS = "factors";
    private static final String DECOMPOSITIONS = "decompositions";
    private static final String MAGIC = "# kronlaplace kfac v3 ";
    /** Bias column of a layer with a bias, whose block is B (x) [1]. */
    public static final String BIAS_B = "B";
    /** Bias column of a layer without a bias. */
    public static final String NO_BIAS = "-";
    private static final String END = "# end ";
    /** An index lists one line per layer; anything larger than this is not an index. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private KronFactorFiles() {
    }

    private record Entry(int number, String path, KfacFlavour flavour, long din, long dout, boolean bias) {
    }

    /**
     * The paths of a network's weight layers that have a bias: what the index's bias column states.
     *
     * @param network the network the factors belong to
     * @return the dotted paths of the Linear and Conv2d layers with a bias
     */
    public static Set<String> layersWithBias(Network network) {
        Set<String> out = new LinkedHashSet<>();
        for (WeightLayer layer : network.weightLayers()) {
            if (layer.bias() != null) {
                out.add(layer.path());
            }
        }
        return out;
    }

    /**
     * Writes factors of layers without biases into {@code dir}, creating it if needed.
     *
     * @param dir     the directory
     * @param factors factors keyed by layer path, in network order
     * @throws IOException when a file cannot be written
     */
    public static void writeFactors(Path dir, Map<String, KronFactors> factors) throws IOException {
        writeFactors(dir, factors, Set.of());
    }

    /**
     * Writes factors (keyed by layer path) into {@code dir}, creating it if needed.
     *
     * @param dir            the directory
     * @param factors        factors keyed by layer path, in network order
     * @param layersWithBias the paths of the layers that have a bias (see {@link #layersWithBias})
     * @throws IOException when a file cannot be written
     */
    public static void writeFactors(Path dir, Map<String, KronFactors> factors, Set<String> layersWithBias)
            throws IOException {
        List<Entry> entries = new ArrayList<>();
        int number = 0;
        for (KronFactors f : factors.values()) {
            Npy.write(dir.resolve(file(number, "A")), f.aView());
            Npy.write(dir.resolve(file(number, "B")), f.bView());
            entries.add(new Entry(number++, f.layerPath(), f.flavour(), f.inFeatures(), f.outFeatures(),
                    layersWithBias.contains(f.layerPath())));
        }
        writeIndex(dir, FACTORS, entries);
    }

    /**
     * The layers that the index of a factor directory lists with a bias.
     *
     * @param dir a directory written by {@link #writeFactors}
     * @return the layer paths whose bias column is {@value #BIAS_B}, in index order
     * @throws IOException when the index is missing or corrupt
     */
    public static Set<String> readLayersWithBias(Path dir) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (Entry e : readIndex(dir, FACTORS)) {
            if (e.bias()) {
                out.add(e.path());
            }
        }
        return out;
    }

    /**
     * Reads factors written by {@link #writeFactors}.
     *
     * @param dir a directory written by {@link #writeFactors}
     * @return new float64 factors keyed by layer path, in the saved order
     * @throws IOException when a file cannot be read, and a {@link CorruptFileException} naming the file when the
     *                     index is missing its end line, checksum or layers, or an array has the wrong shape or
     *                     holds NaN or infinity
     */
    public static Map<String, KronFactors> readFactors(Path dir) throws IOException {
        Map<String, KronFactors> out = new LinkedHashMap<>();
        for (Entry e : readIndex(dir, FACTORS)) {
            INDArray a = read(dir, e, "A", e.din(), e.din());
            INDArray b = read(dir, e, "B", e.dout(), e.dout());
            out.put(e.path(), construct(dir, () -> new KronFactors(e.path(), a, b, e.flavour())));
        }
        return out;
    }

    /**
     * Writes eigendecompositions into {@code dir}, creating it if needed; the bias column of every layer says
     * {@value #NO_BIAS}, as a decomposition does not record biases.
     *
     * @param dir            the directory
     * @param decompositions decompositions keyed by layer path, in network order
     * @throws IOException when a file cannot be written
     */
    public static void writeDecompositions(Path dir, Map<String, KronDecomposition> decompositions)
            throws IOException {
        List<Entry> entries = new ArrayList<>();
        int number = 0;
        for (KronDecomposition d : decompositions.values()) {
            Npy.write(dir.resolve(file(number, "QA")), d.qaView());
            Npy.write(dir.resolve(file(number, "LA")), d.laView());
            Npy.write(dir.resolve(file(number, "QB")), d.qbView());
            Npy.write(dir.resolve(file(number, "LB")), d.lbView());
            entries.add(new Entry(number++, d.layerPath(), d.flavour(), d.inFeatures(), d.outFeatures(), false));
        }
        writeIndex(dir, DECOMPOSITIONS, entries);
    }

    /**
     * Reads eigendecompositions written by {@link #writeDecompositions}.
     *
     * @param dir a directory written by {@link #writeDecompositions}
     * @return new decompositions keyed by layer path, in the saved order
     * @throws IOException when a file cannot be read, and a {@link CorruptFileException} naming the file when the
     *                     index is missing its end line, checksum or layers, or an array has the wrong shape or
     *                     holds NaN or infinity
     */
    public static Map<String, KronDecomposition> readDecompositions(Path dir) throws IOException {
        Map<String, KronDecomposition> out = new LinkedHashMap<>();
        for (Entry e : readIndex(dir, DECOMPOSITIONS)) {
            INDArray qa = read(dir, e, "QA", e.din(), e.din());
            INDArray la = read(dir, e, "LA", e.din());
            INDArray qb = read(dir, e, "QB", e.dout(), e.dout());
            INDArray lb = read(dir, e, "LB", e.dout());
            out.put(e.path(), construct(dir, () -> new KronDecomposition(e.path(), e.flavour(), qa, la, qb, lb)));
        }
        return out;
    }

    private interface Constructor<T> {
        T build();
    }

    /** Turns a validation failure of loaded arrays (e.g. NaN) into a corrupt-file error naming the directory. */
    private static <T> T construct(Path dir, Constructor<T> c) throws IOException {
        try {
            return c.build();
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException(dir + ": invalid saved curvature: " + e.getMessage(), e);
        }
    }

    private static String file(int number, String array) {
        return "layer" + number + "." + array + ".npy";
    }

    private static INDArray read(Path dir, Entry e, String array, long... shape) throws IOException {
        Path p = dir.resolve(file(e.number(), array));
        INDArray a = Npy.read(p);
        if (!Arrays.equals(a.shape(), shape)) {
            throw new CorruptFileException(p + ": array " + array + " of layer '" + e.path() + "' has shape "
                    + Arrays.toString(a.shape()) + ", the index says " + Arrays.toString(shape));
        }
        return a;
    }

    private static void writeIndex(Path dir, String kind, List<Entry> entries) throws IOException {
        StringBuilder text = new StringBuilder(MAGIC).append(kind).append('\n');
        text.append("# number\tlayer\tflavour\tdin\tdout\tbias (" + BIAS_B + ": the layer's bias has the block "
                + "B (x) [1]; " + NO_BIAS + ": no bias)\n");
        for (Entry e : entries) {
            if (e.path().contains("\t") || e.path().contains("\n")) {
                throw new IllegalArgumentException("layer path '" + e.path() + "' contains a tab or newline");
            }
            text.append(e.number()).append('\t').append(e.path()).append('\t').append(e.flavour()).append('\t')
                    .append(e.din()).append('\t').append(e.dout()).append('\t').append(e.bias() ? BIAS_B : NO_BIAS)
                    .append('\n');
        }
        text.append(endLine(text.toString(), entries.size()));
        AtomicFiles.writeString(dir.resolve(INDEX), text);
    }

    /** The last line of an index: the layer count and the CRC-32 of the UTF-8 bytes of {@code body}. */
    private static String endLine(String body, int layers) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return END + layers + " crc32 " + String.format("%08x", crc.getValue()) + "\n";
    }

    private static List<Entry> readIndex(Path dir, String kind) throws IOException {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new NoSuchFileException(index.toString(), null, "no K-FAC index file");
        }
        if (Files.size(index) > MAX_INDEX_BYTES) {
            throw new CorruptFileException(index + ": " + Files.size(index) + " bytes is too large for a K-FAC index");
        }
        String text;
        try {
            text = Utf8Text.decode(Files.readAllBytes(index));
        } catch (Utf8Text.MalformedException e) {
            throw new CorruptFileException(index + ": " + e.getMessage(), e);
        }
        if (!text.startsWith(MAGIC)) {
            throw new CorruptFileException(index + ": not a K-FAC index of this version (line 1 must start with '"
                    + MAGIC.trim() + "')");
        }
        List<String> lines = List.of(text.split("\n", -1));
        int last = lines.size() - 2;
        if (!text.endsWith("\n") || last < 1 || !lines.get(last).startsWith(END)) {
            throw new CorruptFileException(index + ": truncated: no '" + END.trim() + "' line at the end");
        }
        String body = text.substring(0, text.length() - lines.get(last).length() - 1);
        String found = lines.get(0).substring(MAGIC.length()).trim();
        if (!found.equals(kind)) {
            throw new CorruptFileException(index + ": the directory holds " + found + ", expected " + kind);
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        for (int i = 1; i < last; i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                if (f.length != 6) {
                    throw new IllegalArgumentException("expected 6 tab-separated fields, got " + f.length);
                }
                if (!f[5].equals(BIAS_B) && !f[5].equals(NO_BIAS)) {
                    throw new IllegalArgumentException("bias column must be " + BIAS_B + " or " + NO_BIAS + ", got '"
                            + f[5] + "'");
                }
                Entry e = new Entry(Integer.parseInt(f[0]), f[1], KfacFlavour.valueOf(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), f[5].equals(BIAS_B));
                if (e.din() < 1 || e.dout() < 1 || e.din() > Integer.MAX_VALUE || e.dout() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("sizes must be positive ints");
                }
                if (e.number() != entries.size()) {
                    throw new IllegalArgumentException("layer number " + e.number() + " where " + entries.size()
                            + " comes next");
                }
                if (!paths.add(e.path())) {
                    throw new IllegalArgumentException("layer '" + e.path() + "' is listed twice");
                }
                entries.add(e);
            } catch (IllegalArgumentException e) {
                throw new CorruptFileException(index + " line " + (i + 1) + " is corrupt (" + e.getMessage() + "): '"
                        + line + "'", e);
            }
        }
        String expectedEnd = endLine(body, entries.size());
        if (!(lines.get(last) + "\n").equals(expectedEnd)) {
            throw new CorruptFileException(index + " line " + (last + 1) + ": '" + lines.get(last) + "' does not match "
                    + "the " + entries.size() + " layers and checksum of the lines before it ('" + expectedEnd.trim()
                    + "'): the index was cut or changed");
        }
        return entries;
    }
}
