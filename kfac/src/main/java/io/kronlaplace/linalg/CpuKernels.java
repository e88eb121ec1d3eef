package io.kronlaplace.linalg;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code "cpu"} kernels: the OpenBLAS that ND4J links ({@code cblas_?syrk} into the upper triangle, ND4J's GEMM)
 * and LAPACK {@code dsyevd} eigendecompositions in float64, with short rank updates and batched eigendecompositions
 * in single-threaded OpenBLAS sections ({@link OpenBlasThreads}). Always available: OpenBLAS is a dependency of this
 * module. See docs/compute-kernels.md, section "The CPU implementation".
 */
public final class CpuKernels implements ComputeKernels {

    /** Stateless; instances are interchangeable. */
    public CpuKernels() {
        // public no-argument constructor for java.util.ServiceLoader
    }

    @Override
    public String name() {
        return ComputeDevices.CPU;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public void addTransposeProductUpper(INDArray rows, INDArray target, double beta) {
        SymmetricRankUpdate.addTransposeProduct(rows, target, beta);
    }

    @Override
    public void addProductsOfUpper(INDArray stack, INDArray target, double beta) {
        SymmetricRankUpdate.addProductsOf(stack, target, beta);
    }

    @Override
    public INDArray mirrorUpper(INDArray square) {
        return SymmetricRankUpdate.mirrorUpper(square);
    }

    @Override
    public void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha,
                     double beta) {
        Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    }

    @Override
    public Eigendecomposition decomposeSymmetric(INDArray symmetric) {
        return SymmetricEigen.decompose(symmetric);
    }

    @Override
    public List<Eigendecomposition> decomposeAllSymmetric(List<INDArray> matrices) {
        return SymmetricEigen.decomposeAll(matrices);
    }

    @Override
    public String toString() {
        return "CpuKernels[OpenBLAS/LAPACK]";
    }
}
