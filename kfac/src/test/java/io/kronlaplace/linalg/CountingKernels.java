package io.kronlaplace.linalg;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A test backend registered under {@code META-INF/services} of the test class path as device {@code "counting"}: the
 * CPU kernels, counting the calls of each operation, so tests can check that the curvature code goes through the
 * selected kernels. It is also what a new backend amounts to: one class and one services line.
 */
public final class CountingKernels implements ComputeKernels {
    /** The device name of this test backend. */
    public static final String NAME = "counting";

    private final ComputeKernels cpu = new CpuKernels();
    final AtomicInteger transposeProducts = new AtomicInteger();
    final AtomicInteger stackedProducts = new AtomicInteger();
    final AtomicInteger mirrors = new AtomicInteger();
    final AtomicInteger gemms = new AtomicInteger();
    final AtomicInteger decompositions = new AtomicInteger();
    final AtomicInteger batchedDecompositions = new AtomicInteger();

    /** Created by {@link java.util.ServiceLoader}. */
    public CountingKernels() {
        // counters start at zero
    }

    void reset() {
        for (AtomicInteger counter : List.of(transposeProducts, stackedProducts, mirrors, gemms, decompositions,
                batchedDecompositions)) {
            counter.set(0);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public void addTransposeProductUpper(INDArray rows, INDArray target, double beta) {
        transposeProducts.incrementAndGet();
        cpu.addTransposeProductUpper(rows, target, beta);
    }

    @Override
    public void addProductsOfUpper(INDArray stack, INDArray target, double beta) {
        stackedProducts.incrementAndGet();
        cpu.addProductsOfUpper(stack, target, beta);
    }

    @Override
    public INDArray mirrorUpper(INDArray square) {
        mirrors.incrementAndGet();
        return cpu.mirrorUpper(square);
    }

    @Override
    public void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha,
                     double beta) {
        gemms.incrementAndGet();
        cpu.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    }

    @Override
    public Eigendecomposition decomposeSymmetric(INDArray symmetric) {
        decompositions.incrementAndGet();
        return cpu.decomposeSymmetric(symmetric);
    }

    @Override
    public List<Eigendecomposition> decomposeAllSymmetric(List<INDArray> matrices) {
        batchedDecompositions.incrementAndGet();
        return cpu.decomposeAllSymmetric(matrices);
    }
}
