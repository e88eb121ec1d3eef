package io.kronlaplace.laplace;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark of KRON Laplace (K-FAC reduce vs expand) on a Wide ResNet (float32 network, random CIFAR-shaped data and
 * labels; the timings do not depend on the values): fit time per 1,000 images (curvature pass and eigendecompositions
 * separately), the median time of one hyperstep (log marginal likelihood and its gradient w.r.t. layer-wise log prior
 * precisions, after the decomposition), probit predictive throughput, and peak memory (JVM heap used plus JavaCPP
 * off-heap bytes).
 *
 * <p>Usage: {@code LaplaceBenchmark [--fit-images 1000] [--test-images 1000] [--batch 50] [--depth 16] [--widen 4]
 * [--hypersteps 200] [--flavours REDUCE,EXPAND]}.
 */
public final class LaplaceBenchmark {
    private static long peakHeap;
    private static long peakPhysical;
    private static long peakOffHeap;

    private LaplaceBenchmark() {
    }

    /** Runs the benchmark and prints one line per measurement. */
    public static void main(String[] args) {
        int fitImages = intArg(args, "--fit-images", 1000);
        int testImages = intArg(args, "--test-images", 1000);
        int batch = intArg(args, "--batch", 50);
        int depth = intArg(args, "--depth", 16);
        int widen = intArg(args, "--widen", 4);
        int hypersteps = intArg(args, "--hypersteps", 200);
        String flavours = stringArg(args, "--flavours", "REDUCE,EXPAND");
        WideResNet arch = WideResNet.builder().depth(depth).widen(widen).classes(10).dataType(DataType.FLOAT)
                .seed(1).architecture();
        System.out.println("model " + arch.description() + ", float32, random inputs N(0,1) and random labels; "
                + "OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ", fit images " + fitImages
                + ", test images " + testImages + ", batch " + batch);
        for (String f : flavours.split(",")) {
            run(arch, KfacFlavour.valueOf(f.trim()), fitImages, testImages, batch, hypersteps);
        }
        System.out.printf("peak memory: heap used %.1f MiB, JavaCPP physical %.1f MiB, JavaCPP tracked off-heap %.1f "
                + "MiB%n", peakHeap / 1048576.0, peakPhysical / 1048576.0, peakOffHeap / 1048576.0);
    }

    private static void run(WideResNet arch, KfacFlavour flavour, int fitImages, int testImages, int batch,
                            int hypersteps) {
        Network net = arch.build();
        System.out.println("[" + flavour + "] parameters " + net.numParameters());
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.KRON)
                .flavour(flavour).build());
        List<Batch> train = randomBatches(fitImages, batch, 7);
        long t0 = System.nanoTime();
        double c0 = processCpuSeconds();
        post.fit(new SamplingIterator(train.iterator()));
        long t1 = System.nanoTime();
        double c1 = processCpuSeconds();
        sample();
        double fitSeconds = (t1 - t0) / 1e9;
        System.out.printf("[%s] fit (data term, curvature pass, eigendecompositions) %.2f s wall (%.2f s process CPU) "
                + "for %d images = %.2f s wall per 1000 images%n", flavour, fitSeconds, c1 - c0, fitImages,
                fitSeconds * 1000.0 / fitImages);
        long t2 = System.nanoTime();
        double c2 = processCpuSeconds();
        ((KronLaplace) post).completeFit();
        long t3 = System.nanoTime();
        System.out.printf("[%s]   of which eigendecompositions and spectra (measured again alone) %.2f s wall "
                + "(%.2f s process CPU)%n", flavour, (t3 - t2) / 1e9, processCpuSeconds() - c2);

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
            sink += ml.value() + ml.logPrior()[0];
        }
        Arrays.sort(times);
        System.out.printf("[%s] hyperstep (log marginal likelihood + gradient, %d layer-wise priors): median %.2f ms, "
                + "min %.2f ms, max %.2f ms over %d (checksum %.3e)%n", flavour, groups, times[hypersteps / 2],
                times[0], times[hypersteps - 1], hypersteps, sink);
        sample();

        GlmPredictive glm = new GlmPredictive(post);
        List<Batch> test = randomBatches(testImages, batch, 11);
        long p0 = System.nanoTime();
        double pc0 = processCpuSeconds();
        double total = 0;
        for (Batch b : test) {
            INDArray p = glm.probit(b.inputs());
            total += p.sumNumber().doubleValue();
            sample();
        }
        double predictSeconds = (System.nanoTime() - p0) / 1e9;
        System.out.printf("[%s] probit predictive: %d images in %.2f s wall (%.2f s process CPU) = %.2f images/s "
                + "(probabilities sum %.1f)%n", flavour, testImages, predictSeconds, processCpuSeconds() - pc0,
                testImages / predictSeconds, total);
    }

    private static List<Batch> randomBatches(int images, int batch, long seed) {
        List<Batch> out = new ArrayList<>();
        Nd4j.getRandom().setSeed(seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < images; i += batch) {
            int n = Math.min(batch, images - i);
            INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, 32, 32);
            double[] y = new double[n];
            for (int k = 0; k < n; k++) {
                y[k] = r.nextInt(10);
            }
            out.add(new Batch(x, Nd4j.createFromArray(y)));
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

    private static int intArg(String[] args, String name, int def) {
        String v = stringArg(args, name, null);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs an integer, got '" + v + "'", e);
        }
    }

    private static String stringArg(String[] args, String name, String def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }
}
