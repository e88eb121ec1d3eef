package io.kronlaplace.cuda;

import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.CpuKernels;
import io.kronlaplace.linalg.Eigendecomposition;
import io.kronlaplace.linalg.KernelOperands;
import io.kronlaplace.nn.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code "cuda"} compute kernels: ND4J arrays in host memory handed to {@link CudaLinearAlgebra} (cuBLAS and
 * cuSOLVER on the current CUDA device) through their native addresses, without copies on the Java heap. Rank updates and
 * GEMM run in the operands' type, eigendecompositions in float64; results are back in the given host arrays when a
 * call returns. {@link #mirrorUpper} is a host-memory copy and stays on the CPU.
 *
 * <p>Available where {@link CudaDevice#detect()} finds the CUDA libraries and a device; elsewhere
 * {@link ComputeDevices} falls back to the CPU kernels with a warning. See docs/gpu.md, section "What runs on the GPU".
 */
public final class CudaKernels implements ComputeKernels {
    private final ComputeKernels host = new CpuKernels();

    /** Loads no native code; the device is probed by {@link #isAvailable()} and opened on the first operation. */
    public CudaKernels() {
        // public no-argument constructor for java.util.ServiceLoader
    }

    @Override
    public String name() {
        return ComputeDevices.CUDA;
    }

    @Override
    public boolean isAvailable() {
        return CudaDevice.detect().available();
    }

    @Override
    public void addTransposeProductUpper(INDArray rows, INDArray target, double beta) {
        KernelOperands.requireRankUpdateOperands(rows, target);
        int d = Math.toIntExact(rows.size(1));
        KernelOperands.requireSquareTarget(target, d);
        int m = Math.toIntExact(rows.size(0));
        CudaLinearAlgebra device = CudaLinearAlgebra.shared();
        if (rows.dataType() == DataType.DOUBLE) {
            device.addTransposeProductUpper(doubles(rows, 0), m, d, doubles(target, 0), beta);
        } else {
            device.addTransposeProductUpper(floats(rows, 0), m, d, floats(target, 0), beta);
        }
    }

    @Override
    public void addProductsOfUpper(INDArray stack, INDArray target, double beta) {
        KernelOperands.requireRankUpdateOperands(stack, target);
        KernelOperands.requireStack(stack);
        int d = Math.toIntExact(stack.size(1));
        int r = Math.toIntExact(stack.size(2));
        KernelOperands.requireSquareTarget(target, d);
        CudaLinearAlgebra device = CudaLinearAlgebra.shared();
        for (long index = 0; index < stack.size(0); index++) {
            long offset = index * d * r;
            double b = index == 0 ? beta : 1.0;
            if (stack.dataType() == DataType.DOUBLE) {
                device.addProductOfUpper(doubles(stack, offset), d, r, doubles(target, 0), b);
            } else {
                device.addProductOfUpper(floats(stack, offset), d, r, floats(target, 0), b);
            }
        }
    }

    @Override
    public INDArray mirrorUpper(INDArray square) {
        return host.mirrorUpper(square);
    }

    /**
     * As specified by {@link ComputeKernels#gemm}. Inputs that are dense in C or Fortran order are used in place (a
     * Fortran-order matrix is the C-order buffer of its transpose, so its transpose flag flips); other inputs are
     * copied to C order first. The output must be dense in C or Fortran order.
     *
     * @throws IllegalArgumentException when the types differ or are not float32 or float64, the shapes do not match,
     *                                  or the output is not dense
     */
    @Override
    public void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha,
                     double beta) {
        DataType type = c.dataType();
        if (a.dataType() != type || b.dataType() != type || (type != DataType.DOUBLE && type != DataType.FLOAT)) {
            throw new IllegalArgumentException("gemm needs float32 or float64 operands of one type, got "
                    + a.dataType() + ", " + b.dataType() + " and " + type);
        }
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
            throw new IllegalArgumentException("gemm needs matrices, got shapes " + Arrays.toString(a.shape()) + ", "
                    + Arrays.toString(b.shape()) + " and " + Arrays.toString(c.shape()));
        }
        long m = transposeA ? a.size(1) : a.size(0);
        long k = transposeA ? a.size(0) : a.size(1);
        long kb = transposeB ? b.size(1) : b.size(0);
        long n = transposeB ? b.size(0) : b.size(1);
        if (k != kb || c.size(0) != m || c.size(1) != n) {
            throw new IllegalArgumentException("gemm shapes do not match: op(a) is " + m + " x " + k + ", op(b) " + kb
                    + " x " + n + ", c " + Arrays.toString(c.shape()));
        }
        StoredMatrix sa = StoredMatrix.of(a, transposeA);
        StoredMatrix sb = StoredMatrix.of(b, transposeB);
        boolean outputInFortranOrder = !Tensors.isDenseBuffer(c);
        if (outputInFortranOrder && !Tensors.isDenseBuffer(c.transpose())) {
            throw new IllegalArgumentException("the gemm output must be dense in C or Fortran order, got "
                    + c.ordering() + " order with strides " + Arrays.toString(c.stride()));
        }
        // a Fortran-order c is the C-order buffer of c^T = op(b)^T op(a)^T
        StoredMatrix first = outputInFortranOrder ? sb.transposed() : sa;
        StoredMatrix second = outputInFortranOrder ? sa.transposed() : sb;
        int rows = Math.toIntExact(outputInFortranOrder ? n : m);
        int cols = Math.toIntExact(outputInFortranOrder ? m : n);
        CudaLinearAlgebra device = CudaLinearAlgebra.shared();
        if (type == DataType.DOUBLE) {
            device.gemm(first.transpose(), second.transpose(), rows, cols, Math.toIntExact(k), alpha,
                    doubles(first.buffer(), 0), doubles(second.buffer(), 0), beta, doubles(c, 0));
        } else {
            device.gemm(first.transpose(), second.transpose(), rows, cols, Math.toIntExact(k), alpha,
                    floats(first.buffer(), 0), floats(second.buffer(), 0), beta, floats(c, 0));
        }
    }

    @Override
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    public Eigendecomposition decomposeSymmetric(INDArray symmetric) {
        int n = KernelOperands.requireSymmetricInput(symmetric);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray input = float64Dense(symmetric);
            INDArray values = Nd4j.createUninitialized(DataType.DOUBLE, n);
            INDArray vectors = Nd4j.createUninitialized(DataType.DOUBLE, n, n);
            CudaLinearAlgebra.shared().decomposeSymmetric(doubles(input, 0), n, doubles(values, 0),
                    doubles(vectors, 0));
            return new Eigendecomposition(values, vectors);
        }
    }

    /**
     * As specified by {@link ComputeKernels#decomposeAllSymmetric}: all inputs are checked first; matrices of one
     * order up to 32 are decomposed together by cuSOLVER's batched Jacobi solver, the others one at a time by
     * {@code Dsyevd}.
     */
    @Override
    public List<Eigendecomposition> decomposeAllSymmetric(List<INDArray> matrices) {
        Map<Integer, List<Integer>> smallByOrder = new LinkedHashMap<>();
        for (int i = 0; i < matrices.size(); i++) {
            int n = KernelOperands.requireSymmetricInput(matrices.get(i));
            if (n <= CudaLinearAlgebra.BATCHED_JACOBI_MAX_ORDER) {
                smallByOrder.computeIfAbsent(n, key -> new ArrayList<>()).add(i);
            }
        }
        Eigendecomposition[] out = new Eigendecomposition[matrices.size()];
        smallByOrder.forEach((n, indices) -> decomposeBatch(matrices, n, indices, out));
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                out[i] = decomposeSymmetric(matrices.get(i));
            }
        }
        return Arrays.asList(out);
    }

    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    private static void decomposeBatch(List<INDArray> matrices, int n, List<Integer> indices,
                                       Eigendecomposition[] out) {
        int count = indices.size();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray inputs = Nd4j.createUninitialized(DataType.DOUBLE, count, n, n);
            for (int j = 0; j < count; j++) {
                inputs.slice(j).assign(matrices.get(indices.get(j)));
            }
            INDArray values = Nd4j.createUninitialized(DataType.DOUBLE, count, n);
            INDArray vectors = Nd4j.createUninitialized(DataType.DOUBLE, count, n, n);
            CudaLinearAlgebra.shared().decomposeSymmetricBatch(doubles(inputs, 0), n, count, doubles(values, 0),
                    doubles(vectors, 0));
            for (int j = 0; j < count; j++) {
                out[indices.get(j)] = new Eigendecomposition(Nd4j.createFromArray(values.getRow(j).toDoubleVector()),
                        vectors.slice(j).dup('c'));
            }
        }
    }

    private static INDArray float64Dense(INDArray m) {
        INDArray cast = m.dataType() == DataType.DOUBLE ? m : m.castTo(DataType.DOUBLE);
        return Tensors.denseBuffer(cast);
    }

    /** The native address of a dense float64 array's element {@code offset}. */
    static DoublePointer doubles(INDArray dense, long offset) {
        long length = dense.data().length();
        return new DoublePointer(dense.data().addressPointer()).capacity(length).limit(length).getPointer(offset);
    }

    /** The native address of a dense float32 array's element {@code offset}. */
    static FloatPointer floats(INDArray dense, long offset) {
        long length = dense.data().length();
        return new FloatPointer(dense.data().addressPointer()).capacity(length).limit(length).getPointer(offset);
    }

    @Override
    public String toString() {
        return "CudaKernels[cuBLAS/cuSOLVER]";
    }

    /**
     * A GEMM operand as a dense C-order buffer and the flag that makes {@code op(buffer)} the operand's
     * {@code op(x)}: a dense Fortran-order matrix is the C-order buffer of its transpose.
     */
    private record StoredMatrix(INDArray buffer, boolean transpose) {
        static StoredMatrix of(INDArray x, boolean transpose) {
            if (Tensors.isDenseBuffer(x)) {
                return new StoredMatrix(x, transpose);
            }
            INDArray xt = x.transpose();
            if (Tensors.isDenseBuffer(xt)) {
                return new StoredMatrix(xt, !transpose);
            }
            return new StoredMatrix(x.dup('c'), transpose);
        }

        /** The same buffer standing for the transpose of the operand. */
        StoredMatrix transposed() {
            return new StoredMatrix(buffer, !transpose);
        }
    }
}
