package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.data.OgbGraphReader;
import io.kronlaplace.validation.data.SeededShuffle;
import io.kronlaplace.validation.data.SyntheticGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Option;

/**
 * Where the graphs of a graph network come from: an OGB graph-property {@code raw/} directory, or the built-in
 * synthetic graphs. The sizes and the seed are the shared {@code --train-size}, {@code --test-size} and
 * {@code --data-seed} of {@link DataOptions}.
 */
public final class GraphDataOptions {
    @Option(names = "--ogb-dir", paramLabel = "DIR", description = "Graph networks: an OGB graph-property raw/ "
            + "directory (num-node-list, num-edge-list, edge, graph-label and optionally node-feat and edge-feat, "
            + ".csv or .csv.gz; e.g. ogbg-molpcba/raw). Its graphs are split into a seeded random test set of "
            + "--test-size graphs (default: a tenth) and training graphs (the first --train-size of the rest). "
            + "Without it the built-in synthetic graphs are used.")
    Path ogbDir;

    @Option(names = "--graph-nodes", paramLabel = "MIN,MAX", split = ",", defaultValue = "5,14",
            description = "Synthetic graphs: smallest and largest node count (default: ${DEFAULT-VALUE}).")
    int[] nodeRange;

    @Option(names = "--graph-edge-probability", paramLabel = "P", defaultValue = "0.2",
            description = "Synthetic graphs: probability of each bond (default: ${DEFAULT-VALUE}).")
    double edgeProbability;

    /** Training and test graphs. */
    public record Loaded(GraphDataset train, GraphDataset test) {
    }

    /** Whether an OGB directory was given. */
    boolean ogb() {
        return ogbDir != null;
    }

    /**
     * Where the training graphs come from (see {@link DataOptions#source()}).
     *
     * @param data the sizes and the seed
     * @return {@code source=ogb} with the directory, or {@code source=synthetic-graphs} with the generator's settings,
     *         then the training size and the data seed
     */
    String source(DataOptions data) {
        String origin = ogbDir != null ? "source=ogb; --ogb-dir=" + ogbDir.toAbsolutePath().normalize()
                : "source=synthetic-graphs; --graph-nodes=" + Arrays.toString(nodeRange) + "; --graph-edge-probability="
                + edgeProbability;
        return origin + "; --train-size=" + (data.trainSize == null ? "default" : data.trainSize.toString())
                + "; --data-seed=" + data.dataSeed;
    }

    /**
     * Reads or generates the graphs (float32, as the networks run).
     *
     * @param data the shared data options: {@code --train-size}, {@code --test-size} and {@code --data-seed} apply,
     *             {@code --data-dir} must be absent
     * @return the training and test graphs
     * @throws NoSuchFileException      when the OGB directory or one of its required files does not exist
     * @throws IllegalArgumentException on image-only options, bad sizes, or too few graphs for the split
     */
    public Loaded load(DataOptions data) throws IOException {
        if (data.dataDir != null) {
            throw new IllegalArgumentException("--data-dir (CIFAR-10 images) does not apply to graph networks; use "
                    + "--ogb-dir for an OGB data set");
        }
        if (ogbDir == null) {
            if (nodeRange.length != 2) {
                throw new IllegalArgumentException("--graph-nodes takes MIN,MAX, got " + Arrays.toString(nodeRange));
            }
            int n = data.trainSize == null ? 1000 : DataOptions.positive(data.trainSize, "--train-size");
            int m = data.testSize == null ? 200 : DataOptions.positive(data.testSize, "--test-size");
            return new Loaded(synthetic(n, data.dataSeed), synthetic(m, data.dataSeed + 1));
        }
        if (!Files.isDirectory(ogbDir)) {
            throw new NoSuchFileException(ogbDir.toString(), null, "OGB raw directory does not exist");
        }
        GraphDataset all = new OgbGraphReader(true).read(ogbDir, DataType.FLOAT);
        int m = data.testSize == null ? Math.max(1, all.size() / 10)
                : DataOptions.positive(data.testSize, "--test-size");
        if (m >= all.size()) {
            throw new IllegalArgumentException(ogbDir + " has " + all.size() + " graphs: too few for " + m
                    + " test graphs and at least one training graph");
        }
        int[] order = SeededShuffle.permutation(all.size(), data.dataSeed);
        int n = data.trainSize == null ? all.size() - m
                : Math.min(all.size() - m, DataOptions.positive(data.trainSize, "--train-size"));
        GraphDataset train = all.subset(Arrays.copyOfRange(order, m, m + n));
        GraphDataset test = all.subset(Arrays.copyOfRange(order, 0, m));
        return new Loaded(train, test);
    }

    /** Rejects graph options for image models. */
    void requireUnused(String model) {
        if (ogbDir != null) {
            throw new IllegalArgumentException("--ogb-dir applies to graph networks, not to a " + model);
        }
    }

    private GraphDataset synthetic(int count, long seed) {
        return SyntheticGraphs.generate(count, nodeRange[0], nodeRange[1], edgeProbability, seed, DataType.FLOAT);
    }
}
