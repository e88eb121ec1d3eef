package io.kronlaplace.laplace;

import io.kronlaplace.bench.BenchmarkArguments;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.LinearisedSamplingPredictive;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.WeightLayer;
import io.kronlaplace.nn.models.WideResNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark of KRON Laplace (K-FAC reduce vs expand) on a Wide ResNet (float32 network, random CIFAR-shaped data and
 * labels; the timings do not depend on the values), for heads of C = 10 and C = 100 outputs: fit time per 1,000 images
 * (curvature pass and eigendecompositions separately), the median time of one hyperstep (log marginal likelihood and
 * its gradient w.r.t. layer-wise log prior precisions, after the decomposition), the throughput of the predictives
 * (all-weights GLM probit, all-weights linearised sampling, last-layer GLM probit on the head's features and end to
 * end; steady state, after one untimed warm-up batch), and peak memory (JVM heap used plus JavaCPP off-heap bytes).
 * See docs/predictive.md, section Throughput.
 *
 * <p>Run with {@code --help} for the options; unknown options are rejected.
 */
public final class LaplaceBenchmark {
    /** The predictives the benchmark can time. */
    enum Predictive {
        /** All-weights KRON GLM predictive with the probit link (C back-propagated vectors per image). */
        EXACT,
        /** All-weights linearised sampling predictive (one tangent pass per weight draw, any C). */
        LINEARISED,
        /** Last-layer KRON GLM probit predictive. */
        LAST_LAYER
    }

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: LaplaceBenchmark [--name value | --name=value]... [--help]",
            "Times KRON Laplace on a float32 Wide ResNet with random CIFAR-shaped inputs and labels.",
            "  --fit-images N          images of the curvature fit (default 1000)",
            "  --test-images N         images predicted per predictive (default 1000)",
            "  --batch N               images per mini-batch (default 50)",
            "  --depth N               Wide ResNet depth, 6k + 4 (default 16)",
            "  --widen N               Wide ResNet width factor (default 4)",
            "  --hypersteps N          timed log marginal likelihood evaluations (default 200)",
            "  --flavours LIST         K-FAC flavours, REDUCE and/or EXPAND (default REDUCE,EXPAND)",
            "  --classes LIST          head sizes C to run (default 10,100)",
            "  --predictives LIST      EXACT, LINEARISED and/or LAST_LAYER (default all three)",
            "  --linearised-samples N  weight draws of the linearised sampling predictive (default 10)",
            "  --head-test-images N    feature rows of the last-layer predictive on features (default 5000)",
            "  --help                  print this help and exit");

    private static final Set<String> OPTIONS = Set.of("--fit-images", "--test-images", "--batch", "--depth",
            "--widen", "--hypersteps", "--flavours", "--classes", "--predictives", "--linearised-samples",
            "--head-test-images");

    private static long peakHeap;
    private static long peakPhysical;
    private static long peakOffHeap;

    /** The parsed options of one benchmark run. */
    record Settings(int fitImages, int testImages, int batch, int depth, int widen, int hypersteps,
                    List<KfacFlavour> flavours, int[] classes, Set<Predictive> predictives, int linearisedSamples,
                    int headTestImages) {
        /**
         * Parses the command line (see {@link #USAGE}).
         *
         * @throws IllegalArgumentException for an unknown option, a missing or malformed value
         */
        static Settings parse(BenchmarkArguments a) {
            return new Settings(a.positiveInt("--fit-images", 1000), a.positiveInt("--test-images", 1000),
                    a.positiveInt("--batch", 50), a.positiveInt("--depth", 16), a.positiveInt("--widen", 4),
                    a.positiveInt("--hypersteps", 200),
                    a.enums("--flavours", "REDUCE,EXPAND", KfacFlavour.class), a.positiveInts("--classes", 10, 100),
                    EnumSet.copyOf(a.enums("--predictives", "EXACT,LINEARISED,LAST_LAYER", Predictive.class)),
                    a.positiveInt("--linearised-samples", 10), a.positiveInt("--head-test-images", 5000));
        }
    }

    private LaplaceBenchmark() {
    }

    /**
     * Runs the benchmark and prints one line per measurement, or the usage for {@code --help}.
     *
     * @param args the options listed by {@code --help}
     * @throws IllegalArgumentException for an unknown option or a malformed value (before anything runs)
     */
    public static void main(String[] args) {
        BenchmarkArguments parsed = BenchmarkArguments.parse(args, OPTIONS);
        if (parsed.help()) {
            System.out.println(USAGE);
            return;
        }
        Settings settings = Settings.parse(parsed);
        System.out.println("float32 Wide ResNet, random inputs N(0,1) and random labels; OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + ", fit images " + settings.fitImages() + ", test images "
                + settings.testImages() + ", batch " + settings.batch());
        for (int classes : settings.classes()) {
            WideResNet arch = WideResNet.builder().depth(settings.depth()).widen(settings.widen()).classes(classes)
                    .dataType(DataType.FLOAT).seed(1).architecture();
            System.out.println("model " + arch.description() + ", C = " + classes);
            for (KfacFlavour flavour : settings.flavours()) {
                run(arch, flavour, classes, settings);
            }
        }
        System.out.printf("peak memory: heap used %.1f MiB, JavaCPP physical %.1f MiB, JavaCPP tracked off-heap %.1f "
                + "MiB%n", peakHeap / 1048576.0, peakPhysical / 1048576.0, peakOffHeap / 1048576.0);
    }

    private static void run(WideResNet arch, KfacFlavour flavour, int classes, Settings settings) {
        String tag = "[" + flavour + " C=" + classes + "]";
        Network net = arch.build();
        System.out.println(tag + " parameters " + net.numParameters());
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .flavour(flavour).build());
        List<Batch> train = randomBatches(settings.fitImages(), settings.batch(), classes, 7);
        long t0 = System.nanoTime();
        double c0 = processCpuSeconds();
        post.fit(new SamplingIterator(train.iterator()));
        long t1 = System.nanoTime();
        double c1 = processCpuSeconds();
        sample();
        double fitSeconds = (t1 - t0) / 1e9;
        System.out.printf("%s fit (data term, curvature pass, eigendecompositions) %.2f s wall (%.2f s process CPU) "
                + "for %d images = %.2f s wall per 1000 images%n", tag, fitSeconds, c1 - c0, settings.fitImages(),
                fitSeconds * 1000.0 / settings.fitImages());
        long t2 = System.nanoTime();
        double c2 = processCpuSeconds();
        ((KronLaplace) post).completeFit();
        long t3 = System.nanoTime();
        System.out.printf("%s   of which eigendecompositions and spectra (measured again alone) %.2f s wall "
                + "(%.2f s process CPU)%n", tag, (t3 - t2) / 1e9, processCpuSeconds() - c2);
        hypersteps(post, tag, settings.hypersteps());

        List<Batch> test = randomBatches(settings.testImages(), settings.batch(), classes, 11);
        if (settings.predictives().contains(Predictive.EXACT)) {
            GlmPredictive glm = new GlmPredictive(post);
            time(tag + " all weights, GLM probit predictive", test, glm::probit);
        }
        if (settings.predictives().contains(Predictive.LINEARISED)) {
            int samples = settings.linearisedSamples();
            long d0 = System.nanoTime();
            LinearisedSamplingPredictive linearised = new LinearisedSamplingPredictive(post, samples, 5);
            sample();
            System.out.printf("%s all weights, linearised sampling: drawing %d weight deviations %.2f s wall (once "
                    + "per predictive)%n", tag, samples, (System.nanoTime() - d0) / 1e9);
            time(tag + " all weights, linearised sampling predictive (" + samples + " draws)", test,
                    linearised::classify);
        }
        if (settings.predictives().contains(Predictive.LAST_LAYER)) {
            LaplacePosterior last = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.KRON)
                    .subset(SubsetOfWeights.LAST_LAYER).flavour(flavour).build());
            last.fit(train.iterator());
            time(tag + " last layer, GLM probit predictive end to end (network forward included)", test,
                    new GlmPredictive(last)::probit);
            lastLayerOnFeatures(net, flavour, classes, settings, tag);
        }
    }

    /** The last-layer predictive's own cost: a posterior over the head alone, predicting from given features. */
    private static void lastLayerOnFeatures(Network net, KfacFlavour flavour, int classes, Settings settings,
                                            String tag) {
        List<WeightLayer> layers = net.weightLayers();
        long features = layers.get(layers.size() - 1).inFeatures();
        Network head = new Network(new Sequential(new Linear(features, classes, true,
                new Init(3, DataType.FLOAT, Init.Scheme.KAIMING_NORMAL))));
        LaplacePosterior post = Laplace.create(head, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .flavour(flavour).build());
        post.fit(randomFeatures(settings.fitImages(), settings.batch(), features, classes, 13).iterator());
        time(tag + " last layer, GLM probit predictive on " + features + " features", randomFeatures(
                settings.headTestImages(), settings.batch(), features, classes, 17), new GlmPredictive(post)::probit);
    }

    private static void hypersteps(LaplacePosterior post, String tag, int hypersteps) {
        int groups = post.groupNames().size();
        double[] deltas = new double[groups];
        SplittableRandom r = new SplittableRandom(3);
        double[] times = new double[hypersteps];
        double sink = 0;
        for (int i = 0; i < hypersteps; i++) {
            for (int g = 0; g < groups; g++) {
                deltas[g] = Math.exp(r.nextDouble(-3, 3));
            }
            post.setPriorPrecision(PriorPrecision.perGroup(deltas));
            long h0 = System.nanoTime();
            MarginalLikelihood ml = post.marginalLikelihood();
            times[i] = (System.nanoTime() - h0) / 1e6;
            sink += ml.value() + ml.logPriorGradient()[0];
        }
        Arrays.sort(times);
        System.out.printf("%s hyperstep (log marginal likelihood + gradient, %d layer-wise priors): median %.2f ms, "
                + "min %.2f ms, max %.2f ms over %d (checksum %.3e)%n", tag, groups, times[hypersteps / 2],
                times[0], times[hypersteps - 1], hypersteps, sink);
        post.setPriorPrecision(PriorPrecision.scalar(1.0));
        sample();
    }

    /**
     * Times class probabilities over the batches and prints images per second, after one untimed warm-up prediction
     * of the first batch (it sizes the predictive's reused memory and compiles its code; its time is printed).
     */
    private static void time(String what, List<Batch> batches, Function<INDArray, INDArray> predict) {
        long w0 = System.nanoTime();
        predict.apply(batches.get(0).inputs()).sumNumber();
        sample();
        System.out.printf("%s: warm-up batch of %d images %.2f s wall (not timed below)%n", what,
                batches.get(0).inputs().size(0), (System.nanoTime() - w0) / 1e9);
        long p0 = System.nanoTime();
        double pc0 = processCpuSeconds();
        double total = 0;
        long images = 0;
        for (Batch b : batches) {
            total += predict.apply(b.inputs()).sumNumber().doubleValue();
            images += b.inputs().size(0);
            sample();
        }
        double seconds = (System.nanoTime() - p0) / 1e9;
        System.out.printf("%s: %d images in %.2f s wall (%.2f s process CPU) = %.2f images/s (probabilities sum "
                + "%.1f)%n", what, images, seconds, processCpuSeconds() - pc0, images / seconds, total);
    }

    private static List<Batch> randomFeatures(int rows, int batch, long features, int classes, long seed) {
        List<Batch> out = new ArrayList<>();
        Nd4j.getRandom().setSeed(seed);
        for (int i = 0; i < rows; i += batch) {
            int n = Math.min(batch, rows - i);
            out.add(new Batch(Nd4j.randn(DataType.FLOAT, n, features), randomLabels(n, classes, seed + i)));
        }
        return out;
    }

    private static INDArray randomLabels(int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] y = new double[n];
        for (int k = 0; k < n; k++) {
            y[k] = r.nextInt(classes);
        }
        return Nd4j.createFromArray(y);
    }

    private static List<Batch> randomBatches(int images, int batch, int classes, long seed) {
        List<Batch> out = new ArrayList<>();
        Nd4j.getRandom().setSeed(seed);
        for (int i = 0; i < images; i += batch) {
            int n = Math.min(batch, images - i);
            out.add(new Batch(Nd4j.randn(DataType.FLOAT, n, 3, 32, 32), randomLabels(n, classes, seed + i)));
        }
        return out;
    }

    /** Records peak memory after each mini-batch. */
    private static final class SamplingIterator implements Iterator<Batch> {
        private final Iterator<Batch> inner;

        SamplingIterator(Iterator<Batch> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            sample();
            return inner.hasNext();
        }

        @Override
        public Batch next() {
            return inner.next();
        }
    }

    private static void sample() {
        Runtime rt = Runtime.getRuntime();
        peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
        peakPhysical = Math.max(peakPhysical, Pointer.physicalBytes());
        peakOffHeap = Math.max(peakOffHeap, Pointer.totalBytes());
    }

    /** CPU time of the whole process (all threads, native ones included), where the JVM reports it. */
    private static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }
}
