package io.kronlaplace.nn.models;

import io.kronlaplace.bench.BenchmarkArguments;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.optim.Sgd;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times one SGD training step of WRN-16-4 (BatchNorm or Fixup, float32) on random CIFAR-sized images: zero
 * gradients, forward in training mode, mean cross-entropy gradient, backward, SGD update (lr 0.1, momentum 0.9), the
 * same work as a PyTorch training step of the same network ({@code bench/peer/train_step.py} in the repository), for
 * side-by-side comparisons. Forward and backward run in a {@link StepWorkspace}. Prints the median over the timed
 * steps of each phase and the images per second of the whole step.
 *
 * <p>Run with {@code --help} for the options; unknown options are rejected. Threads follow {@code OMP_NUM_THREADS}.
 * On a machine shared with other work, {@code OMP_WAIT_POLICY=passive} keeps idle OpenMP threads from spinning at
 * barriers while their partner thread is descheduled; it roughly halved the step time in our measurements.
 */
public final class TrainStepBenchmark {
    /** The command-line help. */
    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: TrainStepBenchmark [--name value | --name=value]... [--help]",
            "Times SGD training steps of WRN-16-4 (float32) on random CIFAR-sized images.",
            "  --batch N      images per step (default 128)",
            "  --steps N      timed steps; the median is printed (default 5)",
            "  --warmup N     untimed steps first, 0 or more (default 2)",
            "  --variant V    BATCHNORM or FIXUP (default BATCHNORM)",
            "  --help         print this help and exit");

    private static final Set<String> OPTIONS = Set.of("--batch", "--steps", "--warmup", "--variant");

    private TrainStepBenchmark() {
    }

    /**
     * Runs the benchmark and prints the median time of each phase, or the usage for {@code --help}.
     *
     * @param args the options listed by {@code --help}
     * @throws IllegalArgumentException for an unknown option or a malformed value (before anything runs)
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    public static void main(String[] args) {
        BenchmarkArguments options = BenchmarkArguments.parse(args, OPTIONS);
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }
        int batch = options.positiveInt("--batch", 128);
        int steps = options.positiveInt("--steps", 5);
        int warmup = options.intAtLeast("--warmup", 2, 0);
        WideResNet.Variant variant = options.enumValue("--variant", WideResNet.Variant.BATCHNORM,
                WideResNet.Variant.class);
        Network net = WideResNet.builder().depth(16).widen(4).classes(10).variant(variant).dataType(DataType.FLOAT)
                .seed(0).build();
        SplittableRandom random = new SplittableRandom(0);
        INDArray x = Nd4j.createFromArray(random.doubles((long) batch * 3 * 32 * 32, -1, 1).toArray())
                .castTo(DataType.FLOAT).reshape(batch, 3, 32, 32);
        INDArray y = Nd4j.createFromArray(random.ints(batch, 0, 10).toArray()).castTo(DataType.INT64);
        CrossEntropy likelihood = new CrossEntropy();
        Sgd sgd = Sgd.builder().learningRate(0.1).momentum(0.9).build();
        long[][] phases = new long[steps][4];
        for (int s = 0; s < warmup + steps; s++) {
            long t0 = System.nanoTime();
            long t1;
            net.zeroGrad();
            try (StepWorkspace ws = StepWorkspace.open("train")) {
                INDArray logits = net.forward(x, Mode.TRAIN);
                t1 = System.nanoTime();
                INDArray grad = likelihood.gradient(logits, y, Reduction.MEAN);
                net.backward(grad, BackwardContext.training());
            }
            long t2 = System.nanoTime();
            sgd.step(net);
            long t3 = System.nanoTime();
            if (s >= warmup) {
                phases[s - warmup] = new long[] {t1 - t0, t2 - t1, t3 - t2, t3 - t0};
            }
        }
        String[] names = {"forward", "backward", "update", "step"};
        StringBuilder line = new StringBuilder("WRN-16-4 " + variant + " float32 batch " + batch + ", threads "
                + System.getenv().getOrDefault("OMP_NUM_THREADS", "default") + ", OMP_WAIT_POLICY "
                + System.getenv().getOrDefault("OMP_WAIT_POLICY", "default") + ", median of " + steps + ":");
        double stepSeconds = 0;
        for (int p = 0; p < 4; p++) {
            long[] t = new long[steps];
            for (int s = 0; s < steps; s++) {
                t[s] = phases[s][p];
            }
            Arrays.sort(t);
            double median = t[steps / 2] / 1e9;
            line.append(String.format(" %s %.3f s", names[p], median));
            stepSeconds = median;
        }
        line.append(String.format(", %.1f img/s", batch / stepSeconds));
        System.out.println(line);
    }
}
