package io.kronlaplace.cuda;

import java.util.Map;
import org.bytedeco.cuda.global.cudart;

/** Turns the status codes of the CUDA runtime, cuBLAS and cuSOLVER into exceptions that name the failed call. */
final class CudaStatus {
    private static final Map<Integer, String> CUBLAS = Map.of(1, "NOT_INITIALIZED", 3, "ALLOC_FAILED",
            7, "INVALID_VALUE", 8, "ARCH_MISMATCH", 11, "MAPPING_ERROR", 13, "EXECUTION_FAILED",
            14, "INTERNAL_ERROR", 15, "NOT_SUPPORTED", 16, "LICENSE_ERROR");
    private static final Map<Integer, String> CUSOLVER = Map.of(1, "NOT_INITIALIZED", 2, "ALLOC_FAILED",
            3, "INVALID_VALUE", 4, "ARCH_MISMATCH", 5, "MAPPING_ERROR", 6, "EXECUTION_FAILED",
            7, "INTERNAL_ERROR", 8, "MATRIX_TYPE_NOT_SUPPORTED", 9, "NOT_SUPPORTED");

    private CudaStatus() {
    }

    /** The runtime's own text for an error code, e.g. {@code cudaErrorMemoryAllocation: out of memory}. */
    static String runtimeError(int status) {
        return "error " + status + ": " + cudart.cudaGetErrorString(status).getString();
    }

    /** @throws IllegalStateException when a CUDA runtime call did not succeed */
    static void checkRuntime(int status, String call) {
        if (status != cudart.cudaSuccess) {
            throw new IllegalStateException(call + " failed with " + runtimeError(status));
        }
    }

    /** @throws IllegalStateException when a cuBLAS call did not succeed */
    static void checkBlas(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException(call + " failed with CUBLAS_STATUS_"
                    + CUBLAS.getOrDefault(status, String.valueOf(status)));
        }
    }

    /** @throws IllegalStateException when a cuSOLVER call did not succeed */
    static void checkSolver(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException(call + " failed with CUSOLVER_STATUS_"
                    + CUSOLVER.getOrDefault(status, String.valueOf(status)));
        }
    }
}
