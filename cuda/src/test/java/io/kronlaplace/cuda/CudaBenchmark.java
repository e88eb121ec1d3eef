package io.kronlaplace.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Times the CUDA core on the shapes of WRN-16-4's Kronecker factors and prints one tab-separated line per case: GPU
 * milliseconds (median of three runs after one warm-up, host-device copies included, as the kernels pay them) and,
 * where it is cheap enough, the same operation on the CPU in pure Java (EJML, multi-threaded products, single-threaded
 * eigendecompositions; no OpenBLAS), with the CPU/GPU ratio. The CPU products compute the full matrix where SYRK
 * computes one triangle. Shapes: K-FAC-reduce SYRK (batch x d, float64), K-FAC-expand SYRK (batch * positions x d,
 * float32), GEMMs of eigenbasis products, float64 eigendecompositions, and batched Jacobi against one-by-one syevd for
 * small factors. See docs/gpu.md, section "The scripts".
 *
 * <p>Arguments: {@code [--batches 128,512,1024] [--cpu-budget 2e10] [--cpu-eigen-max 1152]}; the CPU budget is the
 * largest multiply-add count timed on the CPU.
 */
public final class CudaBenchmark {
    /** The factor sizes of WRN-16-4's 3x3 convolutions with 64, 128 and 256 input channels, and their positions. */
    private static final int[] FACTOR_SIZES = {576, 1152, 2304};
    private static final int[] POSITIONS = {32 * 32, 16 * 16, 8 * 8};
    private static final int RUNS = 3;

    private final double cpuBudget;
    private final int cpuEigenMax;

    private CudaBenchmark(double cpuBudget, int cpuEigenMax) {
        this.cpuBudget = cpuBudget;
        this.cpuEigenMax = cpuEigenMax;
    }

    /** Runs all cases; see the class comment for the arguments. */
    public static void main(String[] args) {
        int[] batches = {128, 512, 1024};
        double cpuBudget = 2e10;
        int cpuEigenMax = 1152;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--batches" -> batches = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                case "--cpu-budget" -> cpuBudget = Double.parseDouble(args[i + 1]);
                case "--cpu-eigen-max" -> cpuEigenMax = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CudaDevice device = CudaDevice.detect();
        if (!device.available()) {
            throw new IllegalStateException("no CUDA device: " + device.description());
        }
        System.out.println("# " + device.description());
        System.out.println("# CPU references: " + Runtime.getRuntime().availableProcessors() + " processors");
        System.out.println("case\tprecision\tshape\tgpu_ms\tcpu_ms\tcpu_over_gpu");
        try (CudaLinearAlgebra gpu = CudaLinearAlgebra.open()) {
            CudaBenchmark benchmark = new CudaBenchmark(cpuBudget, cpuEigenMax);
            benchmark.reduceSyrk(gpu, batches);
            benchmark.expandSyrk(gpu, batches);
            benchmark.gemm(gpu);
            benchmark.eigen(gpu);
            benchmark.batchedJacobi(gpu);
        }
    }

    private void reduceSyrk(CudaLinearAlgebra gpu, int[] batches) {
        for (int batch : batches) {
            for (int d : FACTOR_SIZES) {
                double[] rows = uniform(batch * d, d);
                try (DoublePointer a = new DoublePointer(rows); DoublePointer c = new DoublePointer((long) d * d)) {
                    double gpuMs = time(() -> gpu.addTransposeProductUpper(a, batch, d, c, 1.0));
                    double cpuMs = (double) d * d * batch > cpuBudget ? Double.NaN : time(() -> {
                        DMatrixRMaj x = DMatrixRMaj.wrap(batch, d, rows);
                        CommonOps_MT_DDRM.multTransA(x, x, new DMatrixRMaj(d, d));
                    });
                    report("syrk_reduce", "float64", batch + "x" + d, gpuMs, cpuMs);
                }
            }
        }
    }

    private void expandSyrk(CudaLinearAlgebra gpu, int[] batches) {
        int largest = Arrays.stream(batches).max().orElseThrow();
        long maxElements = 0;
        for (int i = 0; i < FACTOR_SIZES.length; i++) {
            maxElements = Math.max(maxElements, (long) largest * POSITIONS[i] * FACTOR_SIZES[i]);
        }
        float[] values = uniformFloats(Math.toIntExact(maxElements), 5);
        try (FloatPointer all = new FloatPointer(values)) {
            for (int batch : batches) {
                for (int i = 0; i < FACTOR_SIZES.length; i++) {
                    int d = FACTOR_SIZES[i];
                    int k = batch * POSITIONS[i];
                    try (FloatPointer c = new FloatPointer((long) d * d)) {
                        double gpuMs = time(() -> gpu.addTransposeProductUpper(all, k, d, c, 1.0));
                        double cpuMs = (double) d * d * k > cpuBudget ? Double.NaN : time(() -> {
                            FMatrixRMaj x = FMatrixRMaj.wrap(k, d, Arrays.copyOf(values, k * d));
                            CommonOps_MT_FDRM.multTransA(x, x, new FMatrixRMaj(d, d));
                        });
                        report("syrk_expand", "float32", k + "x" + d + " (batch " + batch + ")", gpuMs, cpuMs);
                    }
                }
            }
        }
    }

    private void gemm(CudaLinearAlgebra gpu) {
        List<int[]> shapes = new ArrayList<>();
        for (int n : FACTOR_SIZES) {
            shapes.add(new int[] {n, n, n});
        }
        shapes.add(new int[] {1024, 2304, 2304});
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            double[] a = uniform(m * k, 11);
            double[] b = uniform(k * n, 12);
            boolean cheap = (double) m * n * k <= cpuBudget;
            try (DoublePointer pa = new DoublePointer(a); DoublePointer pb = new DoublePointer(b);
                 DoublePointer pc = new DoublePointer((long) m * n)) {
                double gpuMs = time(() -> gpu.gemm(false, true, m, n, k, 1.0, pa, pb, 0.0, pc));
                double cpuMs = !cheap ? Double.NaN : time(() -> CommonOps_MT_DDRM.multTransB(
                        DMatrixRMaj.wrap(m, k, a), DMatrixRMaj.wrap(n, k, b), new DMatrixRMaj(m, n)));
                report("gemm_nt", "float64", m + "x" + k + " * (" + n + "x" + k + ")^T", gpuMs, cpuMs);
            }
            float[] af = DenseReference.toFloat(a);
            float[] bf = DenseReference.toFloat(b);
            try (FloatPointer pa = new FloatPointer(af); FloatPointer pb = new FloatPointer(bf);
                 FloatPointer pc = new FloatPointer((long) m * n)) {
                double gpuMs = time(() -> gpu.gemm(false, true, m, n, k, 1.0, pa, pb, 0.0, pc));
                double cpuMs = !cheap ? Double.NaN : time(() -> CommonOps_MT_FDRM.multTransB(
                        FMatrixRMaj.wrap(m, k, af), FMatrixRMaj.wrap(n, k, bf), new FMatrixRMaj(m, n)));
                report("gemm_nt", "float32", m + "x" + k + " * (" + n + "x" + k + ")^T", gpuMs, cpuMs);
            }
        }
    }

    private void eigen(CudaLinearAlgebra gpu) {
        for (int n : FACTOR_SIZES) {
            double[] a = DenseReference.randomSpd(n, n);
            try (DoublePointer pa = new DoublePointer(a); DoublePointer w = new DoublePointer(n);
                 DoublePointer v = new DoublePointer((long) n * n)) {
                double gpuMs = time(() -> gpu.decomposeSymmetric(pa, n, w, v));
                double cpuMs = n > cpuEigenMax ? Double.NaN : time(() -> {
                    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
                    if (!eig.decompose(new DMatrixRMaj(n, n, true, a))) {
                        throw new IllegalStateException("EJML eigendecomposition failed");
                    }
                });
                report("syevd", "float64", n + "x" + n, gpuMs, cpuMs);
            }
        }
    }

    /** Batched Jacobi against syevd one matrix at a time, on the small factors (first layer, biases, classes). */
    private void batchedJacobi(CudaLinearAlgebra gpu) {
        for (int n : new int[] {10, 16, 27}) {
            int count = 64;
            double[] all = new double[count * n * n];
            for (int i = 0; i < count; i++) {
                System.arraycopy(DenseReference.randomSpd(n, i), 0, all, i * n * n, n * n);
            }
            try (DoublePointer pa = new DoublePointer(all); DoublePointer w = new DoublePointer((long) count * n);
                 DoublePointer v = new DoublePointer(all.length)) {
                double batched = time(() -> gpu.decomposeSymmetricBatch(pa, n, count, w, v));
                double oneByOne = time(() -> {
                    for (int i = 0; i < count; i++) {
                        long at = (long) i * n * n;
                        gpu.decomposeSymmetric(pa.getPointer(at), n, w.getPointer((long) i * n), v.getPointer(at));
                    }
                });
                report("syevj_batched", "float64", count + " x " + n + "x" + n, batched, Double.NaN);
                report("syevd_one_by_one", "float64", count + " x " + n + "x" + n, oneByOne, Double.NaN);
            }
        }
    }

    /** Median milliseconds of {@link #RUNS} runs after one warm-up run. */
    private static double time(Runnable run) {
        run.run();
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[RUNS / 2];
    }

    private static void report(String name, String precision, String shape, double gpuMs, double cpuMs) {
        String cpu = Double.isNaN(cpuMs) ? "-" : String.format(Locale.ROOT, "%.2f", cpuMs);
        String ratio = Double.isNaN(cpuMs) ? "-" : String.format(Locale.ROOT, "%.1f", cpuMs / gpuMs);
        System.out.printf(Locale.ROOT, "%s\t%s\t%s\t%.2f\t%s\t%s%n", name, precision, shape, gpuMs, cpu, ratio);
        System.out.flush();
    }

    private static double[] uniform(int length, long seed) {
        return new SplittableRandom(seed).doubles(length, -1, 1).toArray();
    }

    private static float[] uniformFloats(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) (2 * random.nextDouble() - 1);
        }
        return x;
    }
}
