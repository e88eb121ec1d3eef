package io.kronlaplace.hyperopt.augment;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing of the augmentation on a CIFAR-sized float32 batch (not a unit test): forward, reverse mode (eta only and
 * eta plus images) and forward mode for all six generators. Arguments: N S C H W repetitions (defaults 128 4 3 32 32
 * 20). Prints the median wall-clock and thread CPU
 * milliseconds per call (the CPU time is the cost of the call itself when other processes share the cores; the
 * computation is single-threaded Java).
 */
public final class AffineAugmentationBenchmark {
    private AffineAugmentationBenchmark() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int s = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int c = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int h = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int w = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        SplittableRandom random = new SplittableRandom(1);
        float[] pixels = new float[n * c * h * w];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble();
        }
        INDArray images = Nd4j.create(pixels, new long[] {n, c, h, w}, 'c');
        INDArray grad = Nd4j.rand(DataType.FLOAT, (long) n * s, c, h, w);
        AffineAugmentation aug = new AffineAugmentation(0.1, 0.1, 0.5, 0.1, 0.1, 0.1);
        AugmentationNoise noise = AugmentationNoise.draw(n, s, random);
        System.out.printf("N=%d S=%d C=%d H=%d W=%d float32, median of %d%n", n, s, c, h, w, reps);
        report("apply", reps, () -> aug.apply(images, noise));
        report("vjp (eta)", reps, () -> aug.vjp(images, noise, grad, false));
        report("vjp (eta + images)", reps, () -> aug.vjp(images, noise, grad, true));
        report("jvp (one direction)", reps, () -> aug.jvp(images, noise, new double[] {1, 0, 0, 0, 0, 0}));
        report("jvpAll (six generators)", reps, () -> aug.jvpAll(images, noise));
    }

    private static void report(String what, int reps, Runnable call) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 5; i++) {
            call.run();
        }
        double[] wall = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            call.run();
            wall[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("%-26s wall %8.2f ms   thread cpu %8.2f ms%n", what, wall[reps / 2], cpu[reps / 2]);
    }
}
