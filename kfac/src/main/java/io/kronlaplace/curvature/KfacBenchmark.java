package io.kronlaplace.curvature;

import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.linalg.SymmetricEigen;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.models.VisionTransformer;
import io.kronlaplace.nn.models.WideResNet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing of the curvature engine on WRN-16-4, or with {@code --model=vit} on the small vision transformer of the
 * optimiser comparison (float32, CIFAR-sized inputs): K-FAC factors with EXPAND and REDUCE from one MC-Fisher sample,
 * the float64 eigendecomposition of all factors, the eigensolver backends at factor sizes, and the peak resident
 * memory of the EXPAND and the REDUCE pass. Factor times cover only the factor work on recorded layer inputs
 * and back-propagated vectors (as the PyTorch peer in {@code bench/peer/kfac_factors.py} measures); full-pass times
 * add the forward and backward pass. Each figure is the median of 3 refits ({@code reset()} then accumulate, so factor
 * buffers are reused as in a training loop) after a warm-up.
 *
 * <p>Usage: {@code java -cp ... io.kronlaplace.curvature.KfacBenchmark [--model=wrn|vit] [--eigen-backends]
 * [--runs=3] [batch ...]} ({@code --model=vit}: patch 8, width 32, depth 2, 2 heads, MLP ratio 2, 17 tokens);
 * ({@code --runs} sets the timed repetitions after the warm-up; {@code --blas-threads=1} makes ND4J's OpenBLAS
 * single-threaded for the factor products, which was several times faster on the shared 2-core machine while other
 * jobs kept it busy (the eigendecompositions schedule their own thread counts, see {@link SymmetricEigen}); batches
 * default to 32 128 unless only the backends are asked for); {@code --eigen-backends} first times every
 * {@link SymmetricEigen.Backend} at n = 256, 576, 1152, 2304 (one run each above 576; EJML only up to 576). Run with
 * {@code OMP_NUM_THREADS} set to the cores to use.
 */
public final class KfacBenchmark {
    private static final int DEFAULT_RUNS = 3;
    private static int runs = DEFAULT_RUNS;

    private KfacBenchmark() {
    }

    /** One weight layer's recorded input and back-propagated vectors. */
    private record Observation(WeightLayer layer, INDArray input, INDArray gradOutput, int copies) {
    }

    public static void main(String[] args) {
        boolean backends = Arrays.asList(args).contains("--eigen-backends");
        for (String a : args) {
            if (a.startsWith("--blas-threads=")) {
                Nd4j.factory().blas().setMaxThreads(Integer.parseInt(a.substring("--blas-threads=".length())));
            }
            if (a.startsWith("--runs=")) {
                runs = Integer.parseInt(a.substring("--runs=".length()));
                if (runs < 1) {
                    throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
                }
            }
        }
        long[] batches = Arrays.stream(args).filter(a -> !a.startsWith("--")).mapToLong(Long::parseLong).toArray();
        if (batches.length == 0 && !backends) {
            batches = new long[] {32, 128};
        }
        System.out.println("KfacBenchmark start " + Instant.now() + ", OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + ", BLAS threads " + Nd4j.factory().blas().getMaxThreads()
                + ", cores=" + Runtime.getRuntime().availableProcessors());
        if (backends) {
            eigenBackends();
        }
        boolean vit = Arrays.asList(args).contains("--model=vit");
        Network net = vit
                ? VisionTransformer.builder().imageSize(32).inputChannels(3).patchSize(8).width(32).depth(2)
                        .heads(2).mlpRatio(2).classes(10).seed(1).build()
                : WideResNet.builder().depth(16).widen(4).dataType(DataType.FLOAT).seed(1).build();
        System.out.println((vit ? "ViT depth 2 width 32 patch 8" : "WRN-16-4") + " float32, " + net.numParameters()
                + " parameters, " + net.weightLayers().size() + " weight layers");
        for (long batch : batches) {
            factorsAtBatch(net, batch);
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

    private static void factorsAtBatch(Network net, long batch) {
        Nd4j.getRandom().setSeed(batch);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, 3, 32, 32);
        CrossEntropy ce = new CrossEntropy();
        List<Observation> observed = record(net, ce, x);
        Map<String, KronFactors> reduceFactors = null;
        double[] factorSeconds = new double[2];
        for (KfacFlavour flavour : KfacFlavour.values()) {
            KfacOptions options = KfacOptions.builder().flavour(flavour).curvatureType(CurvatureType.MC_FISHER)
                    .build();
            double[] t = new double[runs];
            KfacEstimator estimator = new KfacEstimator(net, ce, options);
            Map<String, KronFactors> f = factorsFrom(estimator, observed);
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                f = factorsFrom(estimator, observed);
                t[r] = (System.nanoTime() - t0) / 1e9;
            }
            factorSeconds[flavour.ordinal()] = median(t);
            if (flavour == KfacFlavour.REDUCE) {
                reduceFactors = f;
            }
            double[] full = new double[runs];
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                estimator.reset();
                estimator.accumulate(x, null);
                estimator.factors();
                full[r] = (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf("batch %d %s: factors %.3f s (runs %s), full pass incl. forward+backward %.3f s  (%s)%n",
                    batch, flavour, factorSeconds[flavour.ordinal()], round(t), median(full),
                    Instant.now());
        }
        System.out.printf("batch %d: expand/reduce factor-time ratio %.2f%n", batch,
                factorSeconds[0] / factorSeconds[1]);
        double[] eig = new double[runs];
        KronDecomposition.ofAll(reduceFactors);
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            KronDecomposition.ofAll(reduceFactors);
            eig[r] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf("batch %d: eigendecomposition of all %d factor pairs (float64, %s, %d threads) %.3f s "
                + "(runs %s)  (%s)%n", batch, reduceFactors.size(), SymmetricEigen.defaultBackend(),
                SymmetricEigen.parallelism(), median(eig), round(eig), Instant.now());
        observed.clear();
        // after the timings: an EXPAND pass leaves gigabytes of freed native memory behind that slow what follows
        for (KfacFlavour flavour : KfacFlavour.values()) {
            peakMemory(net, ce, x, flavour);
        }
    }

    private static List<Observation> record(Network net, CrossEntropy ce, INDArray x) {
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

    /** Peak resident set size while a pass of the flavour (forward, backward, factors) runs, sampled every 2 ms. */
    private static void peakMemory(Network net, CrossEntropy ce, INDArray x, KfacFlavour flavour) {
        KfacEstimator est = new KfacEstimator(net, ce, KfacOptions.builder().flavour(flavour)
                .curvatureType(CurvatureType.MC_FISHER).build());
        PeakResidentMemory memory = PeakResidentMemory.during(() -> {
            est.accumulate(x, null);
            est.factors();
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
