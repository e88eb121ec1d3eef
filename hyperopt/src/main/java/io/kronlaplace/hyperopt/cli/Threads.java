package io.kronlaplace.hyperopt.cli;

import org.nd4j.nativeblas.NativeOpsHolder;

/** Applies {@code --threads} to the native (OpenMP/BLAS) thread pool. */
final class Threads {
    private Threads() {
    }

    static void apply(CommonOptions common) {
        if (common.threads != null) {
            if (common.threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + common.threads);
            }
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(common.threads);
        }
    }
}
