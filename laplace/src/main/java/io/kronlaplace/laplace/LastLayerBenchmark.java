package io.kronlaplace.laplace;

import io.kronlaplace.bench.BenchmarkArguments;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.MaxPool2d;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times KRON against FULL over the last layer of a small digits-sized CNN with a usual 512 x 10 + 10 head (5,130
 * parameters): fit (data term, curvature pass, decompositions), a scalar and a per-group hyperstep, and the probit
 * predictive's throughput. Float32 network, random 1 x 28 x 28 inputs and labels (the timings do not depend on the
 * values). See docs/laplace.md, section Full posterior over the last layer.
 *
 * <p>Run with {@code --help} for the options; unknown options are rejected.
 */
public final class LastLayerBenchmark {
    /** The command-line help. */
    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: LastLayerBenchmark [--name value | --name=value]... [--help]",
            "Times KRON against FULL Laplace over the last layer of a small digits-sized CNN (float32, random inputs).",
            "  --fit-images N     images of the curvature fit (default 2000)",
            "  --test-images N    images predicted (default 1100)",
            "  --batch N          images per mini-batch (default 100)",
            "  --structures LIST  KRON and/or FULL (default KRON,FULL)",
            "  --priors LIST      SCALAR and/or PER_GROUP (default SCALAR,PER_GROUP)",
            "  --help             print this help and exit");

    private static final Set<String> OPTIONS = Set.of("--fit-images", "--test-images", "--batch", "--structures",
            "--priors");

    private LastLayerBenchmark() {
    }

    /**
     * Runs the benchmark and prints one line per measurement, or the usage for {@code --help}.
     *
     * @param args the options listed by {@code --help}
     * @throws IllegalArgumentException for an unknown option or a malformed value (before anything runs)
     */
    public static void main(String[] args) {
        BenchmarkArguments options = BenchmarkArguments.parse(args, OPTIONS);
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }
        int fitImages = options.positiveInt("--fit-images", 2000);
        int testImages = options.positiveInt("--test-images", 1100);
        int batch = options.positiveInt("--batch", 100);
        List<HessianStructure> structures = options.enums("--structures", "KRON,FULL", HessianStructure.class);
        List<PriorPrecision> priors = new ArrayList<>();
        for (PriorPrecision.Kind kind : options.enums("--priors", "SCALAR,PER_GROUP", PriorPrecision.Kind.class)) {
            priors.add(switch (kind) {
                case SCALAR -> PriorPrecision.scalar(2.0);
                case PER_GROUP -> PriorPrecision.perGroup(2.0, 0.5);
                case PER_PARAMETER -> throw new IllegalArgumentException("--priors takes SCALAR and PER_GROUP");
            });
        }
        System.out.println("CNN conv32-pool-conv64-pool-fc512-fc10, float32, random inputs; OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + ", fit images " + fitImages + ", test images " + testImages
                + ", batch " + batch);
        for (HessianStructure structure : structures) {
            run(structure, priors, fitImages, testImages, batch);
        }
    }

    /**
     * Conv(1, 32, 3x3) - ReLU - MaxPool 2 - Conv(32, 64, 3x3) - ReLU - MaxPool 2 - Linear(3136, 512) - ReLU -
     * Linear(512, 10).
     */
    static Network digitsCnn() {
        Init init = new Init(1, DataType.FLOAT, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Conv2d(1, 32, 3, 1, 1, true, init), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(32, 64, 3, 1, 1, true, init), new ReLU(), new MaxPool2d(2, 2), new Flatten(),
                new Linear(64 * 7 * 7, 512, true, init), new ReLU(), new Linear(512, 10, true, init)));
    }

    private static void run(HessianStructure structure, List<PriorPrecision> priors, int fitImages, int testImages,
                            int batch) {
        Network net = digitsCnn();
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(structure)
                .subset(SubsetOfWeights.LAST_LAYER).build());
        List<Batch> train = randomBatches(fitImages, batch, 7);
        long t0 = System.nanoTime();
        post.fit(train.iterator());
        double fit = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[%s last layer, %d parameters] fit %.2f s for %d images%n", structure, post.dim(), fit,
                fitImages);
        for (PriorPrecision prior : priors) {
            System.out.printf("[%s] hyperstep (log marginal likelihood + gradient), %s prior: %.3f ms%n", structure,
                    prior.kind(), hyperstep(post, prior) * 1e3);
        }
        for (PriorPrecision prior : priors) {
            post.setPriorPrecision(prior);
            GlmPredictive glm = new GlmPredictive(post);
            List<Batch> test = randomBatches(testImages, batch, 11);
            long w0 = System.nanoTime();
            double total = glm.probit(test.get(0).inputs()).sumNumber().doubleValue();
            double first = (System.nanoTime() - w0) / 1e9;
            long p0 = System.nanoTime();
            long images = 0;
            for (Batch b : test.subList(1, test.size())) {
                total += glm.probit(b.inputs()).sumNumber().doubleValue();
                images += b.inputs().size(0);
            }
            double seconds = (System.nanoTime() - p0) / 1e9;
            System.out.printf("[%s] probit predictive, %s prior: first batch %.2f s (includes the covariance factor), "
                    + "then %.1f images/s (%d images in %.2f s; sum %.1f)%n", structure, prior.kind(), first,
                    images / seconds, images, seconds, total);
        }
    }

    /** Seconds of the median of 5 marginal-likelihood evaluations after one warm-up. */
    private static double hyperstep(LaplacePosterior post, PriorPrecision prior) {
        long w0 = System.nanoTime();
        post.marginalLikelihood(prior, 1.0, 1.0);
        double first = (System.nanoTime() - w0) / 1e9;
        double[] times = new double[5];
        for (int i = 0; i < times.length; i++) {
            long h0 = System.nanoTime();
            post.marginalLikelihood(prior, 1.0, 1.0);
            times[i] = (System.nanoTime() - h0) / 1e9;
        }
        java.util.Arrays.sort(times);
        System.out.printf("  first evaluation at %s: %.3f s%n", prior, first);
        return times[times.length / 2];
    }

    private static List<Batch> randomBatches(int images, int batch, long seed) {
        List<Batch> out = new ArrayList<>();
        Nd4j.getRandom().setSeed(seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < images; i += batch) {
            int n = Math.min(batch, images - i);
            INDArray x = Nd4j.randn(DataType.FLOAT, n, 1, 28, 28);
            double[] y = new double[n];
            for (int k = 0; k < n; k++) {
                y[k] = r.nextInt(10);
            }
            out.add(new Batch(x, Nd4j.createFromArray(y)));
        }
        return out;
    }
}
