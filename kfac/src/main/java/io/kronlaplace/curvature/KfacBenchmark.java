package io.kronlaplace.curvature;

import io.kronlaplace.bench.BenchmarkArguments;
import io.kronlaplace.likelihood.BinaryCrossEntropy;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.linalg.SymmetricEigen;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.graph.Graph;
import io.kronlaplace.nn.graph.GraphNetwork;
import io.kronlaplace.nn.graph.GraphRows;
import io.kronlaplace.nn.models.VisionTransformer;
import io.kronlaplace.nn.models.WideResNet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing of the curvature engine on WRN-16-4, with {@code --model=vit} on the small vision transformer of the
 * optimiser comparison (float32, CIFAR-sized inputs), or with {@code --model=gnn} on a graph network over
 * molecule-sized random graphs (float32; chains of 10 to 40 atoms with a few rings): K-FAC factors with EXPAND and
 * REDUCE from one MC-Fisher sample, the float64 eigendecomposition of all factors, the eigensolver backends at factor
 * sizes, and the peak resident memory of the EXPAND and the REDUCE pass. Factor times cover only the factor work on
 * recorded layer inputs and back-propagated vectors (as the PyTorch peer in {@code bench/peer/kfac_factors.py}
 * measures); full-pass times add the forward and backward pass. Each figure is the median of 3 refits
 * ({@code reset()} then accumulate, so factor buffers are reused as in a training loop) after a warm-up.
 *
 * <p>Run with {@code --help} for the options; unknown options are rejected. {@code --blas-threads 1}
 * makes ND4J's OpenBLAS single-threaded for the factor products, which was several times faster on a shared 2-core
 * machine while other jobs kept it busy (the eigendecompositions schedule their own thread counts, see
 * {@link SymmetricEigen}). Run with {@code OMP_NUM_THREADS} set to the cores to use.
 */
public final class KfacBenchmark {
    /** The networks the benchmark can time. */
    enum Model {
        /** WRN-16-4 on CIFAR-sized inputs. */
        WRN,
        /** The small vision transformer of the optimiser comparison. */
        VIT,
        /** A graph network over random molecule-sized graphs. */
        GNN
    }

    /** The command-line help. */
    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: KfacBenchmark [--name value | --name=value]... [--eigen-backends] [--help]",
            "Times K-FAC factors (EXPAND and REDUCE) and their float64 eigendecompositions on random float32 inputs.",
            "  --model M          WRN (WRN-16-4), VIT (patch 8, width 32, depth 2, 2 heads, MLP ratio 2, 17 tokens) or",
            "                     GNN (3 blocks of 2-layer ReLU MLPs of width 128, 128 binary tasks; batches count",
            "                     graphs) (default WRN)",
            "  --flavours LIST    K-FAC flavours, EXPAND and/or REDUCE; one flavour per process makes the peak",
            "                     resident memory that flavour's (default EXPAND,REDUCE)",
            "  --batches LIST     batch sizes (default 32,128; 128,512 for GNN; none with --eigen-backends alone)",
            "  --runs N           timed repetitions after the warm-up; the median is printed (default 3)",
            "  --blas-threads N   OpenBLAS threads for the factor products (default: ND4J's choice)",
            "  --eigen-backends   first time every eigensolver backend at n = 256, 576, 1152, 2304",
            "  --help             print this help and exit");

    private static final Set<String> OPTIONS = Set.of("--model", "--flavours", "--batches", "--runs",
            "--blas-threads");
    private static final Set<String> FLAGS = Set.of("--eigen-backends");
    private static final int DEFAULT_RUNS = 3;
    /** Atom features per node of the random molecules. */
    private static final int MOLECULE_NODE_FEATURES = 9;
    /** Bond features per edge of the random molecules. */
    private static final int MOLECULE_EDGE_FEATURES = 3;
    /** Binary tasks of ogbg-molpcba. */
    private static final int MOLPCBA_TASKS = 128;
    private static int runs = DEFAULT_RUNS;
    private static List<KfacFlavour> flavours = List.of(KfacFlavour.values());

    private KfacBenchmark() {
    }

    /** One weight layer's recorded input and back-propagated vectors. */
    private record Observation(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
    }

    /**
     * Runs the benchmark and prints one line per measurement, or the usage for {@code --help}.
     *
     * @param args the options listed by {@code --help}
     * @throws IllegalArgumentException for an unknown option or a malformed value (before anything runs)
     */
    public static void main(String[] args) {
        BenchmarkArguments options = BenchmarkArguments.parse(args, OPTIONS, FLAGS);
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }
        boolean backends = options.flag("--eigen-backends");
        Model model = options.enumValue("--model", Model.WRN, Model.class);
        boolean vit = model == Model.VIT;
        boolean gnn = model == Model.GNN;
        flavours = options.enums("--flavours", "EXPAND,REDUCE", KfacFlavour.class);
        runs = options.positiveInt("--runs", DEFAULT_RUNS);
        int[] defaultBatches = backends ? new int[0] : gnn ? new int[] {128, 512} : new int[] {32, 128};
        long[] batches = Arrays.stream(options.positiveInts("--batches", defaultBatches)).asLongStream().toArray();
        if (options.string("--blas-threads", null) != null) {
            Nd4j.factory().blas().setMaxThreads(options.positiveInt("--blas-threads", 1));
        }
        System.out.println("KfacBenchmark start " + Instant.now() + ", OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + ", BLAS threads " + Nd4j.factory().blas().getMaxThreads()
                + ", cores=" + Runtime.getRuntime().availableProcessors());
        if (backends) {
            eigenBackends();
        }
        Network net;
        if (gnn) {
            net = GraphNetwork.builder().nodeFeatures(MOLECULE_NODE_FEATURES).edgeFeatures(MOLECULE_EDGE_FEATURES)
                    .width(128).blocks(3).mlpLayers(2).outputs(MOLPCBA_TASKS).seed(1).dataType(DataType.FLOAT)
                    .build();
        } else if (vit) {
            net = VisionTransformer.builder().imageSize(32).inputChannels(3).patchSize(8).width(32).depth(2)
                    .heads(2).mlpRatio(2).classes(10).seed(1).build();
        } else {
            net = WideResNet.builder().depth(16).widen(4).dataType(DataType.FLOAT).seed(1).build();
        }
        System.out.println((gnn ? "GNN 3 blocks width 128, " + MOLPCBA_TASKS + " tasks"
                : vit ? "ViT depth 2 width 32 patch 8" : "WRN-16-4") + " float32, " + net.numParameters()
                + " parameters, " + net.weightLayers().size() + " weight layers");
        Likelihood likelihood = gnn ? new BinaryCrossEntropy() : new CrossEntropy();
        for (long batch : batches) {
            INDArray x;
            if (gnn) {
                x = GraphRows.pack(randomMolecules(Math.toIntExact(batch), batch), DataType.FLOAT);
                System.out.printf("batch %d: %d graphs, packed %s%n", batch, batch, Arrays.toString(x.shape()));
            } else {
                Nd4j.getRandom().setSeed(batch);
                x = Nd4j.randn(DataType.FLOAT, batch, 3, 32, 32);
            }
            factorsAtBatch(net, likelihood, x);
        }
        System.out.println("KfacBenchmark end " + Instant.now());
    }

    private static void eigenBackends() {
        for (int n : new int[] {256, 576, 1152, 2304}) {
            Nd4j.getRandom().setSeed(n);
            INDArray x = Nd4j.randn(DataType.DOUBLE, n, n);
            INDArray a = x.mmul(x.transpose());
            StringBuilder line = new StringBuilder("eigen n=" + n + ":");
            for (SymmetricEigen.Backend backend : SymmetricEigen.Backend.values()) {
                if (backend == SymmetricEigen.Backend.EJML && n > 576) {
                    continue;
                }
                int repeats = n > 576 ? 1 : DEFAULT_RUNS;
                if (n <= 576) {
                    SymmetricEigen.decompose(a, backend);
                }
                double[] t = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    long t0 = System.nanoTime();
                    SymmetricEigen.decompose(a, backend);
                    t[r] = (System.nanoTime() - t0) / 1e9;
                }
                line.append(String.format(" %s %.3f s", backend, median(t)));
            }
            System.out.println(line + "  (" + Instant.now() + ")");
        }
    }

    /**
     * Random graphs shaped like ogbg-molpcba's molecules: 10 to 40 atoms joined in a chain plus, from each atom with
     * probability 0.1, a bond to a random earlier atom (rings), every bond as two edges; normal random atom and bond
     * features ({@value #MOLECULE_NODE_FEATURES} and {@value #MOLECULE_EDGE_FEATURES}, as OGB's molecule sets).
     */
    private static List<Graph> randomMolecules(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Nd4j.getRandom().setSeed(seed);
        List<Graph> graphs = new ArrayList<>(count);
        for (int g = 0; g < count; g++) {
            int atoms = 10 + random.nextInt(31);
            List<int[]> bonds = new ArrayList<>();
            for (int a = 1; a < atoms; a++) {
                bonds.add(new int[] {a - 1, a});
                if (a > 2 && random.nextDouble() < 0.1) {
                    bonds.add(new int[] {random.nextInt(a - 1), a});
                }
            }
            int[] senders = new int[2 * bonds.size()];
            int[] receivers = new int[senders.length];
            for (int b = 0; b < bonds.size(); b++) {
                senders[2 * b] = bonds.get(b)[0];
                receivers[2 * b] = bonds.get(b)[1];
                senders[2 * b + 1] = bonds.get(b)[1];
                receivers[2 * b + 1] = bonds.get(b)[0];
            }
            graphs.add(new Graph(atoms, gaussians((long) atoms * MOLECULE_NODE_FEATURES),
                    gaussians((long) senders.length * MOLECULE_EDGE_FEATURES), senders, receivers,
                    MOLECULE_NODE_FEATURES, MOLECULE_EDGE_FEATURES));
        }
        return graphs;
    }

    private static double[] gaussians(long count) {
        return Nd4j.randn(DataType.DOUBLE, count).toDoubleVector();
    }

    private static void factorsAtBatch(Network net, Likelihood ce, INDArray x) {
        long batch = x.size(0);
        List<Observation> observed = record(net, ce, x);
        Map<String, KronFactors> decomposed = null;
        double[] factorSeconds = new double[2];
        for (KfacFlavour flavour : flavours) {
            KfacOptions options = KfacOptions.builder().flavour(flavour).curvatureType(CurvatureType.MC_FISHER)
                    .build();
            double[] t = new double[runs];
            KfacEstimator estimator = new KfacEstimator(net, ce, options);
            Map<String, KronFactors> f = factorsFrom(estimator, observed);
            for (int r = 0; r < runs; r++) {
                // as a refit does once it has decomposed them: the next read-out reuses their memory
                KronFactors.closeAll(f.values());
                long t0 = System.nanoTime();
                f = factorsFrom(estimator, observed);
                t[r] = (System.nanoTime() - t0) / 1e9;
            }
            factorSeconds[flavour.ordinal()] = median(t);
            if (decomposed == null || flavour == KfacFlavour.REDUCE) {
                decomposed = f;
            } else {
                KronFactors.closeAll(f.values());
            }
            double[] full = new double[runs];
            // one untimed pass first: it allocates the pass's workspace, as the training step benchmark's warm-up does
            fullPass(estimator, x);
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                fullPass(estimator, x);
                full[r] = (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf("batch %d %s: factors %.3f s (runs %s), full pass incl. forward+backward %.3f s "
                    + "(runs %s)  (%s)%n", batch, flavour, factorSeconds[flavour.ordinal()], round(t), median(full),
                    round(full), Instant.now());
        }
        if (flavours.size() == 2) {
            System.out.printf("batch %d: expand/reduce factor-time ratio %.2f%n", batch,
                    factorSeconds[0] / factorSeconds[1]);
        }
        double[] eig = new double[runs];
        KronDecomposition.ofAll(decomposed);
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            KronDecomposition.ofAll(decomposed);
            eig[r] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf("batch %d: eigendecomposition of all %d factor pairs (float64, %s, %d threads) %.3f s "
                + "(runs %s)  (%s)%n", batch, decomposed.size(), SymmetricEigen.defaultBackend(),
                SymmetricEigen.parallelism(), median(eig), round(eig), Instant.now());
        observed.clear();
        // after the timings: an EXPAND pass leaves gigabytes of freed native memory behind that slow what follows
        for (KfacFlavour flavour : flavours) {
            peakMemory(net, ce, x, flavour);
        }
    }

    private static List<Observation> record(Network net, Likelihood ce, INDArray x) {
        List<Observation> observed = new ArrayList<>();
        INDArray out = net.forward(x, Mode.EVAL);
        INDArray g = ce.sampledGradients(out, 1, new SplittableRandom(0));
        net.backward(g, BackwardContext.curvature(1, (layer, input, gradOutput, copies) ->
                observed.add(new Observation(layer, input, gradOutput, copies))));
        return observed;
    }

    /** A refit: reset (buffers kept) and feed every recorded layer. */
    private static Map<String, KronFactors> factorsFrom(KfacEstimator est, List<Observation> observed) {
        est.reset();
        for (Observation o : observed) {
            est.observe(o.layer(), o.input(), o.gradOutput(), o.copies());
        }
        return est.factors();
    }

    private static void fullPass(KfacEstimator estimator, INDArray x) {
        estimator.reset();
        estimator.accumulate(x, null);
        KronFactors.closeAll(estimator.factors().values());
    }

    /** Peak resident set size while a pass of the flavour (forward, backward, factors) runs, sampled every 2 ms. */
    private static void peakMemory(Network net, Likelihood ce, INDArray x, KfacFlavour flavour) {
        KfacEstimator est = new KfacEstimator(net, ce, KfacOptions.builder().flavour(flavour)
                .curvatureType(CurvatureType.MC_FISHER).build());
        PeakResidentMemory memory = PeakResidentMemory.during(() -> {
            est.accumulate(x, null);
            KronFactors.closeAll(est.factors().values());
        });
        System.out.printf("batch %d: %s pass peak RSS %.0f MiB (%.0f MiB before the pass, JavaCPP off-heap "
                + "tracked now %.0f MiB)%n", x.size(0), flavour, memory.peakBytes() / 1048576.0,
                memory.beforeBytes() / 1048576.0, Pointer.totalBytes() / 1048576.0);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String round(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format("%.3f", v));
        }
        return b.toString();
    }
}
